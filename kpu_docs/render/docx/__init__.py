"""The Word report: its template data (context), the sandboxed template (templating), rendering (report_docx), tables of contents, pictures and XML conformance."""
