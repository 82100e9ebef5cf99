"""The input: one office's facts for one year, as written in its YAML file.

Attribute names are English; the YAML keys (aliases) are the Indonesian words the
office's staff write. Only facts live here: every total, percentage and count is
derived later (see ``derive``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from kpu_docs.formatting import parse_amount

SCHEMA_ID = "https://kpu-docs.invalid/schema/laporan-tahunan.schema.json"


MAX_RUPIAH = 10**15  # Rp1.000 triliun: far above any satker's DIPA or hibah


def _money(value: Any) -> int:
    """Whole, non-negative Rupiah up to MAX_RUPIAH: an integer or Indonesian-formatted text."""
    if isinstance(value, bool):
        raise ValueError("bukan jumlah Rupiah: tulis bilangan bulat seperti 18256293000")
    if isinstance(value, str):
        digits = sum(c.isdigit() for c in value)
        if digits > len(str(MAX_RUPIAH)):  # never hand thousands of digits to int()
            raise ValueError(
                f"jumlah Rupiah terlalu besar ({digits} angka): paling besar Rp1.000.000.000.000.000; "
                "periksa angka yang terketik berulang"
            )
        value = parse_amount(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError("jumlah Rupiah tidak boleh negatif")
        if value > MAX_RUPIAH:
            raise ValueError(
                f"jumlah Rupiah terlalu besar ({value:,}): paling besar Rp1.000.000.000.000.000; "
                "periksa angka yang terketik berulang".replace(",", ".")
            )
        return value
    if isinstance(value, float):
        raise ValueError(
            f"YAML membaca nilai ini sebagai bilangan pecahan ({value!r}), bukan Rupiah bulat. "
            'Tulis tanpa titik (1000) atau sebagai teks dalam tanda kutip ("1.000")'
        )
    raise ValueError("bukan jumlah Rupiah: tulis bilangan bulat seperti 18256293000")


Money = Annotated[
    int,
    BeforeValidator(_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": r"^\s*(Rp\.?\s?)?\d{1,3}(\.\d{3})*(,00|,-)?\s*$"},
            ],
            "description": 'Rupiah bulat: 18256293000 atau "18.256.293.000" / "Rp18.256.293.000"',
        }
    ),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Texts that go into the documents' core properties (title, author), which Word limits to
# 255 characters (python-docx refuses longer): "Laporan Tahunan 2023 " + the long name.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LongName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _date(value: Any) -> Any:
    """A calendar date as YYYY-MM-DD; a number (YAML's 12:30 or a timestamp) is never a date."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise ValueError("tanggal tidak boleh memuat jam: tulis YYYY-MM-DD, mis. 2024-01-31")
        return value.date()
    if isinstance(value, (bool, int, float)):
        raise ValueError(f"tanggal tidak sah ({value!r} terbaca sebagai angka): tulis YYYY-MM-DD, mis. 2024-01-31")
    return value


Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]


def _level(value: Any) -> Any:
    """``Kota``, ``KOTA`` and `` kota `` are all ``kota``."""
    return value.strip().lower() if isinstance(value, str) else value


Paragraphs = Annotated[list[Text], Field(description="Paragraf, satu string per paragraf")]


class Strict(BaseModel):
    """Refuses unknown keys so that a typo such as ``realsasi`` never passes silently."""

    # defer_build: the validators are built when first used, the whole input's in one pass
    # (the models nested in it are not also built each on its own): an import some 35 ms
    # shorter, which a command that validates nothing saves and a build pays back, less
    # about 6 ms, at its first load.
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_alias=True, validate_by_name=False, defer_build=True
    )


# --- the office and the report's metadata ---------------------------------------------------


class Office(Strict):
    """The satker."""

    level: Annotated[
        Literal["kabupaten", "kota", "provinsi"],
        BeforeValidator(_level),
        WithJsonSchema(
            {
                "enum": ["kabupaten", "kota", "provinsi", "Kabupaten", "Kota", "Provinsi"],
                "description": "kabupaten, kota atau provinsi (huruf besar/kecil bebas)",
            }
        ),
    ] = Field(alias="tingkat")
    region: Name = Field(alias="wilayah", description="Nama kabupaten/kota/provinsi, mis. Serang")
    short_name: Name | None = Field(None, alias="nama_singkat", description="Bawaan: KPU <Tingkat> <Wilayah>")
    full_name: LongName | None = Field(
        None, alias="nama_lengkap", description="Bawaan: Komisi Pemilihan Umum <Tingkat> <Wilayah>"
    )
    logo: Text | None = Field(None, description="Berkas gambar logo, relatif terhadap berkas ini")

    @property
    def area(self) -> str:
        """``Kota Serang``, ``Kabupaten Contoh``, ``Provinsi Banten``."""
        return f"{self.level.title()} {self.region}"

    @property
    def name(self) -> str:
        return self.short_name or f"KPU {self.area}"

    @property
    def long_name(self) -> str:
        return self.full_name or f"Komisi Pemilihan Umum {self.area}"


class Letter(Strict):
    """The Secretary-General's letter asking for the report."""

    number: Text = Field(alias="nomor")
    date: Date = Field(alias="tanggal")
    sender: Text = Field("Sekretaris Jenderal Komisi Pemilihan Umum Republik Indonesia", alias="pengirim")


class Signatory(Strict):
    title: Text = Field(alias="jabatan")
    name: Text = Field(alias="nama")
    nip: Text | None = None


class ReportMeta(Strict):
    request_letter: Letter = Field(alias="surat_permintaan")
    place: Text = Field(alias="tempat", description="Tempat penandatanganan")
    date: Date = Field(alias="tanggal", description="Tanggal penandatanganan (YYYY-MM-DD)")
    signatory: Signatory = Field(alias="penandatangan")
    acknowledger: Signatory | None = Field(
        None,
        alias="mengetahui",
        description="Penanda tangan kedua, 'Mengetahui' (mis. Ketua KPU), di samping penandatangan",
    )


class Narratives(Strict):
    foreword: Paragraphs = Field(alias="kata_pengantar")
    introduction: Paragraphs = Field(alias="pendahuluan")
    closing: Paragraphs = Field(alias="penutup")


class ClosingImage(Strict):
    file: Text = Field(alias="berkas", description="Berkas gambar, relatif terhadap berkas ini")
    caption: Text | None = Field(None, alias="keterangan")


# --- the organisation -----------------------------------------------------------------------


class StaffGroup(Strict):
    """Staff of one status sharing one role, e.g. PPNPN 'Pramubakti': two names."""

    status: Literal["PNS", "PPNPN"]
    role: Text | None = Field(None, alias="peran")
    names: list[Text] = Field(alias="nama", min_length=1)


class Subdivision(Strict):
    """A Subbagian."""

    name: Text = Field(alias="nama")
    tasks: Paragraphs = Field(alias="tugas")
    head: Text = Field(alias="kepala")
    staff: list[StaffGroup] = Field(default_factory=list, alias="staf")


class Division(Strict):
    """A Bagian of a KPU Provinsi's Sekretariat, containing Subbagian (DOMAIN.md, Organisation)."""

    name: Text = Field(alias="nama")
    tasks: Paragraphs = Field(default_factory=list, alias="tugas")
    head: Text = Field(alias="kepala")
    staff: list[StaffGroup] = Field(default_factory=list, alias="staf", description="Staf langsung di bawah Bagian")
    subdivisions: list[Subdivision] = Field(alias="subbagian", min_length=1)


class Commissioner(Strict):
    """A member of the commission: the Ketua or an Anggota heading a Divisi."""

    title: Literal["Ketua", "Anggota"] = Field(alias="jabatan")
    name: Text = Field(alias="nama")
    division: Text | None = Field(
        None, alias="divisi", description="Divisi yang dipimpin, mis. Divisi Teknis Penyelenggaraan"
    )


class FunctionalPositions(Strict):
    """The Jabatan Fungsional."""

    description: Paragraphs = Field(alias="uraian")
    holders: list[Text] = Field(default_factory=list, alias="pejabat")


class Organisation(Strict):
    """The Sekretariat: Subbagian directly (KPU Kabupaten/Kota) or Bagian containing Subbagian
    (KPU Provinsi); optionally the commissioners."""

    legal_basis: Paragraphs = Field(alias="tugas_fungsi", description="Dasar hukum dan tugas sekretariat")
    commissioners: list[Commissioner] = Field(default_factory=list, alias="komisioner")
    secretary: Text = Field(alias="sekretaris")
    subdivisions: list[Subdivision] = Field(default_factory=list, alias="subbagian")
    divisions: list[Division] = Field(default_factory=list, alias="bagian", description="Bagian (KPU Provinsi)")
    functional: FunctionalPositions | None = Field(None, alias="jabatan_fungsional")

    @model_validator(mode="after")
    def _one_structure(self) -> Organisation:
        if not self.subdivisions and not self.divisions:
            raise ValueError("isi 'subbagian' (KPU Kabupaten/Kota) atau 'bagian' berisi subbagian (KPU Provinsi)")
        return self

    @property
    def all_subdivisions(self) -> list[Subdivision]:
        """Every Subbagian: those directly under the Sekretariat, then those in each Bagian."""
        return [*self.subdivisions, *(s for d in self.divisions for s in d.subdivisions)]

    @property
    def staff_groups(self) -> list[StaffGroup]:
        """Every staff group, wherever it sits."""
        return [*(g for d in self.divisions for g in d.staff), *(g for s in self.all_subdivisions for g in s.staff)]


# --- the budget tree ------------------------------------------------------------------------


class Obstacle(Strict):
    """One kendala (what held the work back) and its solusi (what was done or will be)."""

    obstacle: Text = Field(alias="kendala")
    solution: Text = Field(alias="solusi")


Obstacles = Annotated[list[Obstacle], Field(description="Kendala dan solusi, ditampilkan di bawah butir ini")]


class Node(Strict):
    """A node of the DIPA tree. On a parent, pagu/realisasi are the figures *stated* for it
    (checked against the sum of its children, never used instead of it)."""

    code: Text = Field(alias="kode", description="Kode lengkap, mis. CQ.6709.QGE.001")
    name: Text = Field(alias="nama")
    pagu: Money | None = None
    realisasi: Money | None = None

    @property
    def children(self) -> list[Node]:
        return []


class Detail(Node):
    """Below the RO: komponen, sub-komponen, akun (by depth)."""

    blokir: Money | None = Field(None, description="Pagu yang diblokir / lock pagu (Rupiah), pada rincian terbawah")
    details: list[Detail] = Field(default_factory=list, alias="rincian")

    @property
    def children(self) -> list[Node]:
        return list(self.details)

    @model_validator(mode="after")
    def _leaf_has_figures(self) -> Detail:
        return _require_leaf_figures(self)


class SubOutput(Node):
    """RO (Sub. Output Kegiatan): the level the report narrates."""

    narrative: list[Text] = Field(default_factory=list, alias="narasi")
    obstacles: Obstacles = Field(default_factory=list, alias="kendala")
    blokir: Money | None = Field(None, description="Pagu yang diblokir / lock pagu (Rupiah), pada rincian terbawah")
    details: list[Detail] = Field(default_factory=list, alias="rincian")

    @property
    def children(self) -> list[Node]:
        return list(self.details)

    @model_validator(mode="after")
    def _leaf_has_figures(self) -> SubOutput:
        return _require_leaf_figures(self)


class Output(Node):
    """KRO (Output Kegiatan)."""

    obstacles: Obstacles = Field(default_factory=list, alias="kendala")
    sub_outputs: list[SubOutput] = Field(default_factory=list, alias="sub_output")

    @property
    def children(self) -> list[Node]:
        return list(self.sub_outputs)


class Kegiatan(Node):
    obstacles: Obstacles = Field(default_factory=list, alias="kendala")
    outputs: list[Output] = Field(default_factory=list, alias="output")

    @property
    def children(self) -> list[Node]:
        return list(self.outputs)


class Program(Node):
    obstacles: Obstacles = Field(default_factory=list, alias="kendala")
    kegiatan: list[Kegiatan] = Field(default_factory=list)

    @property
    def children(self) -> list[Node]:
        return list(self.kegiatan)


def _require_leaf_figures(node: SubOutput | Detail):
    if node.details and node.blokir is not None:
        raise ValueError(f"blokir pada {node.code} ditulis pada rincian terbawah, bukan pada induknya")
    if not node.details:
        missing = [k for k in ("pagu", "realisasi") if getattr(node, k) is None]
        if missing:
            raise ValueError(
                f"{' dan '.join(missing)} wajib diisi pada {node.code}, karena tidak punya rincian "
                "(angka di tingkat terbawah adalah sumber semua jumlah)"
            )
    return node


# --- funding sources besides the DIPA -------------------------------------------------------


class GrantAgreement(Strict):
    """The NPHD (Naskah Perjanjian Hibah Daerah) under which a regional grant is given."""

    number: Text = Field(alias="nomor")
    date: dt.date = Field(alias="tanggal")


class Grant(Strict):
    """A regional grant (hibah APBD, e.g. for a Pilkada) with its own budget tree, checked on its
    own: codes are unique within the grant, figures add up within it (DOMAIN.md, Funding sources)."""

    name: Text = Field(alias="nama", description="mis. Hibah Pemilihan Gubernur dan Wakil Gubernur 2024")
    source: Text = Field("APBD", alias="sumber", description="mis. APBD Provinsi Contoh")
    agreement: GrantAgreement | None = Field(None, alias="nphd")
    programs: list[Program] = Field(alias="program", min_length=1)


# --- performance indicators (IKU / Perjanjian Kinerja) -----------------------------------------


def _measure(value: Any) -> Decimal:
    """An indicator's target or realisasi: a number (``77.5``) or Indonesian text (``"77,5"``)."""
    if isinstance(value, bool) or value is None:
        raise ValueError('bukan angka: tulis mis. 77.5 atau "77,5"')
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
            text = text.replace(".", "")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"'{value}' bukan angka: tulis mis. 77.5 atau \"77,5\"") from None
    else:
        raise ValueError('bukan angka: tulis mis. 77.5 atau "77,5"')
    if not number.is_finite() or number < 0:
        raise ValueError("angka indikator harus bilangan tidak negatif")
    return number


Measure = Annotated[
    Decimal,
    BeforeValidator(_measure),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\s*\d[\d.]*(,\d+)?\s*%?\s*$"}],
            "description": 'Angka: 77.5 atau "77,5"',
        }
    ),
]


class Indicator(Strict):
    """One performance indicator with its target and realisation (same unit)."""

    name: Text = Field(alias="indikator")
    unit: Text = Field(alias="satuan", description="mis. %, dokumen, laporan")
    target: Measure
    realisasi: Measure
    previous: Measure | None = Field(None, alias="realisasi_tahun_lalu")
    lower_is_better: bool = Field(
        False,
        alias="makin_kecil_makin_baik",
        description="true bila indikator makin baik jika makin kecil (capaian = (2 × target − realisasi) / target)",
    )


class StrategicGoal(Strict):
    """A sasaran strategis and its indicators."""

    goal: Text = Field(alias="sasaran")
    indicators: list[Indicator] = Field(alias="indikator", min_length=1)


# --- sections the input adds ---------------------------------------------------------------


TableCell = Annotated[str | int | float | None, Field(description="Isi sel: teks atau angka")]


class TableColumn(Strict):
    title: Text = Field(alias="judul")
    kind: Literal["teks", "rupiah", "angka", "persen"] = Field(
        "teks", alias="jenis", description="rupiah: Rupiah bulat, ditulis seperti tabel anggaran"
    )


class SimpleTable(Strict):
    """A table written in the input: columns and rows; rupiah columns formatted like the budget tables."""

    caption: Text = Field(alias="judul", description="Judul tabel (diberi nomor otomatis)")
    columns: list[TableColumn] = Field(alias="kolom", min_length=1, max_length=8)
    rows: list[list[TableCell]] = Field(alias="baris", min_length=1, max_length=500)
    total: bool = Field(False, alias="jumlah", description="true: baris Jumlah untuk kolom rupiah dan angka")

    @model_validator(mode="after")
    def _cells(self) -> SimpleTable:
        for r, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"baris {r} berisi {len(row)} sel, padahal ada {len(self.columns)} kolom: samakan")
            for c, (cell, column) in enumerate(zip(row, self.columns), start=1):
                try:
                    cell_value(cell, column.kind)
                except ValueError as exc:
                    raise ValueError(f"baris {r}, kolom {c} ('{column.title}'): {exc}") from None
        return self


def cell_value(cell: Any, kind: str) -> Any:
    """A table cell as its kind: Rupiah (int), a number (Decimal), text; None for an empty cell."""
    if cell is None or cell == "":
        return None
    if kind == "rupiah":
        return _money(cell)
    if kind in ("angka", "persen"):
        return _measure(cell)
    return str(cell)


class Picture(Strict):
    file: Text = Field(alias="berkas", description="Berkas gambar (PNG/JPEG), relatif terhadap berkas ini")
    caption: Text | None = Field(None, alias="keterangan")


class SectionBody(Strict):
    title: Text = Field(alias="judul")
    paragraphs: Paragraphs = Field(default_factory=list, alias="paragraf")
    tables: list[SimpleTable] = Field(default_factory=list, alias="tabel")
    pictures: list[Picture] = Field(default_factory=list, alias="gambar")


class SubSection(SectionBody):
    """A subsection inside an added chapter."""


class AddedSection(SectionBody):
    """A chapter or subsection the input adds before or after a chapter or subsection of the
    report (a chapter key, or one of ``sections.subsection_anchors``); its level follows the place it is put."""

    before: Text | None = Field(None, alias="sebelum", description="mis. pendahuluan, organisasi.anggaran")
    after: Text | None = Field(None, alias="sesudah", description="mis. capaian, penutup")
    numbered: bool | None = Field(
        None, alias="bernomor", description="Bab bernomor (BAB V …); bawaan: ya, kecuali sebelum BAB I"
    )
    subsections: list[SubSection] = Field(default_factory=list, alias="subbab")

    @model_validator(mode="after")
    def _one_place(self) -> AddedSection:
        if (self.before is None) == (self.after is None):
            raise ValueError("tulis tepat satu dari 'sebelum' atau 'sesudah', mis. sesudah: capaian")
        return self

    @property
    def anchor(self) -> str:
        return self.before or self.after or ""


class DataSource(Strict):
    """Where the figures came from: written by ``kpu-docs import`` (SAKTI.md)."""

    system: Text = Field("SAKTI", alias="sistem")
    report: Text | None = Field(None, alias="laporan", description="Laporan SAKTI, mis. GLP039")
    period: Text | None = Field(None, alias="periode", description="Mis. Desember 2023")
    basis: Text | None = Field(None, description="akrual atau kas (SP2D)")
    satker: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    file: Text = Field(alias="berkas", description="Nama berkas ekspor")
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    imported: dt.date = Field(alias="tanggal_impor")

    def describe(self) -> str:
        """``SAKTI, GLP039, periode Desember 2023, basis akrual``."""
        parts = [
            self.system,
            self.report,
            f"periode {self.period}" if self.period else None,
            f"basis {self.basis}" if self.basis else None,
        ]
        return ", ".join(p for p in parts if p)


# --- the whole input ------------------------------------------------------------------------


class AnnualReportInput(Strict):
    """Laporan Tahunan: one office, one year."""

    model_config = ConfigDict(
        title="Masukan Laporan Tahunan kpu-docs",
        json_schema_extra={"$id": SCHEMA_ID},
    )

    schema_ref: str | None = Field(None, alias="$schema", description="Rujukan JSON Schema untuk editor")
    office: Office = Field(alias="satker")
    satker_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = Field(
        None, alias="kode_satker", description='Kode satker SAKTI/DIPA, 6 angka dalam tanda kutip: "123456"'
    )
    year: int = Field(alias="tahun", ge=2000, le=2100)
    report: ReportMeta = Field(alias="laporan")
    narratives: Narratives = Field(alias="narasi")
    organisation: Organisation = Field(alias="organisasi")
    programs: list[Program] = Field(alias="program", min_length=1)
    grants: list[Grant] = Field(default_factory=list, alias="hibah", description="Dana hibah (APBD, NPHD)")
    indicators: list[StrategicGoal] = Field(
        default_factory=list, alias="indikator_kinerja", description="Indikator kinerja (IKU / Perjanjian Kinerja)"
    )
    sections: list[AddedSection] = Field(
        default_factory=list,
        alias="bab_tambahan",
        description="Bab atau subbab tambahan, sebelum/sesudah bab atau subbab",
    )
    closing_images: list[ClosingImage] = Field(default_factory=list, alias="gambar_penutup")
    slogan: Text | None = Field(None, description="Slogan di halaman penutup")
    data_source: DataSource | None = Field(None, alias="sumber_data", description="Diisi oleh kpu-docs import")
