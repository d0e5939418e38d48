from io import BytesIO

from openpyxl import load_workbook

from core.exports import csv_lines, neutralise_cell, xlsx_bytes


def test_formula_like_cells_are_neutralised():
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("+33 1 00") == "'+33 1 00"
    assert neutralise_cell("-2") == "'-2"
    assert neutralise_cell("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise_cell("Bonjour") == "Bonjour"
    assert neutralise_cell(-2) == -2


def test_csv_is_semicolon_separated_with_bom():
    lines = list(csv_lines(["nom", "note"], [["=cmd|' /C calc'!A0", 3]]))
    assert lines[0] == "\ufeffnom;note\r\n"
    assert lines[1] == "'=cmd|' /C calc'!A0;3\r\n"


def test_xlsx_round_trip():
    content = xlsx_bytes(["nom", "montant"], [["=HYPERLINK(1)", 100000]], "Lauréats")
    sheet = load_workbook(BytesIO(content)).active
    assert [cell.value for cell in sheet[2]] == ["'=HYPERLINK(1)", 100000]
    assert sheet.title == "Lauréats"
