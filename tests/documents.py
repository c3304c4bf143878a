"""Small PDF and Word files built in the tests themselves (fpdf2, python-docx)."""

from __future__ import annotations

import io

Section = tuple[str | None, list[str]]


def make_pdf(title: str, sections: list[Section], author: str | None = None) -> bytes:
    """A PDF with a large title, bold headings and body paragraphs, wrapped over lines."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, title)
    pdf.ln(4)
    for heading, paragraphs in sections:
        if heading:
            pdf.set_font("Helvetica", "B", 15)
            pdf.multi_cell(0, 8, heading)
            pdf.ln(2)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 5.5, paragraph)
            pdf.ln(4)
    return bytes(pdf.output())


def make_docx(title: str, sections: list[Section], author: str | None = None) -> bytes:
    """A Word document with a Title paragraph, Heading 1 headings and body paragraphs."""
    import docx

    document = docx.Document()
    if author:
        document.core_properties.author = author
    document.add_paragraph(title, style="Title")
    for heading, paragraphs in sections:
        if heading:
            document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
