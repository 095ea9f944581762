import io

from openpyxl import load_workbook

from eoi.reports.workbooks import workbook_bytes


def test_sheets_in_order_with_text_that_never_runs():
    content = workbook_bytes([("First", [["Name", "Count"], ["=SUM(A1:A9)", 3]]),
                              ("Second", [["x"]])], bold_first_row=True)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["First", "Second"]
    cell = workbook["First"]["A2"]
    assert (cell.value, cell.data_type) == ("=SUM(A1:A9)", "s")
    assert workbook["First"]["B2"].value == 3
    assert workbook["First"]["A1"].font.b and not workbook["First"]["A2"].font.b
