"""How much memory and time the preview of a large Taobao order report in XLSX takes, and what it answers.

    .venv/bin/python bench/bench_xlsx_memory.py [--variants limit,limit-terse,over-rows,under-rows] [--keep]

Each variant is a workbook written to /tmp as Excel writes one (its own zip XML, streamed: the worksheet a row
at a time, repeated texts in the shared strings), with the Taobao report's header: 订单编号, 买家实际支付金额,
订单状态, 订单创建时间, 订单付款时间, 宝贝标题, 宝贝总数量, 店铺名称 (the dates are numbers in a date format):

- limit: as Excel lays a sheet out (every row and cell with its reference, "A12"), Taobao's 19-digit order
  numbers as text (each a shared string), as many rows as keep the parts within 95% of
  VILLAGELINK_IMPORT_MAX_UNCOMPRESSED_BYTES (190 MiB of 200). It packs to about 25 MiB, more than
  VILLAGELINK_IMPORT_MAX_BYTES (20 MiB): refused unread, then previewed again with that limit lifted;
- limit-terse: the same within 190 MiB, laid out tersely (no cell references, as some exporters write): about
  850,000 rows in 18 MiB, within every limit;
- over-rows: laid out tersely, 12-digit order numbers as numbers, VILLAGELINK_IMPORT_MAX_ROWS + 1 rows under
  the header: refused, the row limit named;
- under-rows: the same, MAX_ROWS - 1 rows: the most rows an import takes.

Figures on 2 CPUs (issue 13, defect 6), peak RSS before → after the reader's fix: limit 145 → 101 MB,
limit-terse 153 → 107 MB; over-rows and under-rows 88 MB; baseline 81 MB; previews take 50–60 s.

For each, in a fresh temporary data directory (the project's settings on a new SQLite file, the import limits
as configured), a child process migrates and builds an administrator and the report's shops on Taobao; a
second, fresh child then runs import_preview(background=False) on the file handed over open, as an upload is.
Its figures are its own: the resident set after Django's set-up, before the import (baseline), and the peak
resident set of the whole process (ru_maxrss, absolute: nothing subtracted). Goal: peak under 150 MB.

Prints per variant: the file packed and unpacked (the sheet, and all parts), the rows under the header, the
preview's wall time, the baseline and peak resident sets, and the outcome: the batch's counts, or the message
that refused the file.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20
GOAL_MB = 150
HEADER = [
    "订单编号",
    "买家实际支付金额",
    "订单状态",
    "订单创建时间",
    "订单付款时间",
    "宝贝标题",
    "宝贝总数量",
    "店铺名称",
]
STATUSES = ["交易成功"] * 6 + ["买家已付款，等待卖家发货", "卖家已发货，等待买家确认", "交易关闭"]
TITLES = [
    "西藏牦牛肉干 风干手撕 500g 高原特产",
    "青稞面 糌粑粉 2.5kg 农家石磨",
    "藏香 手工天然 尼木藏香 108支",
    "酥油茶粉 速溶 400g 袋装",
    "木碗 手工 藏式 酥油茶碗",
    "虫草 那曲 正品 10g 礼盒",
]
PRICES_FEN = [6_800, 4_500, 3_900, 2_850, 8_800, 39_900]  # of each title
DISCOUNTS_FEN = [0, 0, 0, 300, 500, 1_000]  # a shop's coupons
SHOPS = 5
COLUMNS = "ABCDEFGH"
# name: (Excel's layout, order numbers as shared strings, rows: as many as the unpacked limit takes, or the
# row limit and one more, or one less)
VARIANTS = {
    "limit": (True, True, "limit"),
    "limit-terse": (False, True, "limit"),
    "over-rows": (False, False, "over"),
    "under-rows": (False, False, "under"),
}

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="订单报表" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (  # style 1: a date and time (yyyy-mm-dd hh:mm:ss)
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><dimension ref="A1:H{{last}}"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"

# The shared strings: the header, the statuses, titles and shop names, then (order numbers as text) one per order.
REPEATED = [*HEADER, *dict.fromkeys(STATUSES), *TITLES, *(f"雪域农家{i}号店" for i in range(SHOPS))]
STRING = {text: i for i, text in enumerate(REPEATED)}


def shop_names() -> list[str]:
    return REPEATED[-SHOPS:]


class Report:
    """One row of the report after another, as its worksheet XML: laid out as Excel does (every row and cell
    with its reference) or tersely (none); order numbers as text, each a shared string (Taobao's 19 digits),
    or as numbers (12 digits)."""

    def __init__(self, *, excel: bool, text_numbers: bool):
        self.excel = excel
        self.text_numbers = text_numbers
        self.rng = random.Random(190)  # the same rows every run

    def order_number(self, i: int) -> str:
        return f"{3_100_000_000_000_000_000 + i * 7_919}" if self.text_numbers else f"{200_000_000_000 + i}"

    def header(self) -> str:
        if self.excel:
            cells = "".join(
                f'<c r="{c}1" t="s"><v>{STRING[h]}</v></c>' for c, h in zip(COLUMNS, HEADER, strict=True)
            )
            return f'<row r="1" spans="1:8">{cells}</row>'
        return "<row>" + "".join(f'<c t="s"><v>{STRING[h]}</v></c>' for h in HEADER) + "</row>"

    def row(self, i: int) -> str:
        """Row i (0-based) under the header: spreadsheet row i + 2."""
        quantity = 1 + i % 3
        fen = PRICES_FEN[i % len(TITLES)] * quantity - self.rng.choice(DISCOUNTS_FEN)
        placed = 43_466 + i * 61 / 86_400  # 2019-01-01 onwards, a minute apart
        paid = placed + self.rng.randrange(5, 900) / 86_400
        order = (
            f'<c t="s"><v>{len(REPEATED) + i}</v></c>'
            if self.text_numbers
            else f"<c><v>{self.order_number(i)}</v></c>"
        )
        cells = [
            order,
            f"<c><v>{fen / 100}</v></c>",
            f'<c t="s"><v>{STRING[STATUSES[i % len(STATUSES)]]}</v></c>',
            f'<c s="1"><v>{placed:.6f}</v></c>',
            f'<c s="1"><v>{paid:.6f}</v></c>',
            f'<c t="s"><v>{STRING[TITLES[i % len(TITLES)]]}</v></c>',
            f"<c><v>{quantity}</v></c>",
            f'<c t="s"><v>{STRING[shop_names()[i % SHOPS]]}</v></c>',
        ]
        if not self.excel:
            return f"<row>{''.join(cells)}</row>"
        n = i + 2
        cells = [f'<c r="{c}{n}"{cell[2:]}' for c, cell in zip(COLUMNS, cells, strict=True)]
        return f'<row r="{n}" spans="1:8">{"".join(cells)}</row>'


def rows_within(report: "Report", budget: int) -> int:
    """How many rows under the header keep the sheet and the shared strings within `budget` bytes (the
    rows are made and measured: the same ones write_report then writes, from the same seed)."""
    string_bytes = len(f"<si><t>{report.order_number(0)}</t></si>") if report.text_numbers else 0
    used = len(SHEET_HEAD) + len(report.header().encode()) + len(SHEET_TAIL) + 64
    rows = 0
    while True:
        size = len(report.row(rows).encode()) + string_bytes
        if used + size > budget:
            return rows
        used += size
        rows += 1


def write_report(
    path: Path, *, excel: bool, text_numbers: bool, rows: int | None, unpacked_target: int
) -> dict:
    """Writes the workbook; with `rows` None, as many rows as keep its parts within `unpacked_target` bytes.
    The sheet is written first (as Excel orders the parts), then the shared strings it refers to. Returns
    the rows under the header and the sizes."""
    if rows is None:
        small = 16 * 1024  # the small parts, and the shared strings of the header and repeated values
        rows = rows_within(Report(excel=excel, text_numbers=text_numbers), unpacked_target - small)
    report = Report(excel=excel, text_numbers=text_numbers)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(SHEET_HEAD.format(last=rows + 1).encode())
            part.write(report.header().encode())
            for start in range(0, rows, 10_000):
                part.write("".join(report.row(i) for i in range(start, min(start + 10_000, rows))).encode())
            part.write(SHEET_TAIL.encode())
        count = len(REPEATED) + (rows if text_numbers else 0)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode()
            )
            part.write("".join(f"<si><t>{escape(text)}</t></si>" for text in REPEATED).encode())
            for start in range(0, rows if text_numbers else 0, 10_000):
                numbers = (report.order_number(i) for i in range(start, min(start + 10_000, rows)))
                part.write("".join(f"<si><t>{n}</t></si>" for n in numbers).encode())
            part.write(b"</sst>")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        sheet = archive.getinfo("xl/worksheets/sheet1.xml").file_size
        strings_size = archive.getinfo("xl/sharedStrings.xml").file_size
    return {
        "rows": rows,
        "packed": path.stat().st_size,
        "unpacked": sum(info.file_size for info in infos),
        "sheet": sheet,
        "strings": strings_size,
    }


def django_setup(data_dir: str) -> None:
    """The project's settings (the import limits as configured) on a new SQLite file in `data_dir`."""
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["VILLAGELINK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_mb() -> float:
    """The resident set now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MIB


def child_prepare(data_dir: str) -> dict:
    """Migrates, and builds the administrator and the report's shops on Taobao under Namling."""
    django_setup(data_dir)
    from importlib import resources

    import benchdata
    from django.core.management import call_command

    from villagelink.catalog.services import shop_open
    from villagelink.geo.models import AdminUnit
    from villagelink.geo.services import UnitRow, units_import, units_import_csv
    from villagelink.orders.tests.factories import household

    call_command("migrate", interactive=False, verbosity=0)
    units_import_csv(
        data=resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_bytes()
    )
    county = "540221"  # Namling
    units_import(
        rows=[
            UnitRow(0, f"{county}101", county, "township", "扎西岗乡", "Tashigang Township"),
            UnitRow(0, f"{county}101201", f"{county}101", "village", "扎西岗1村", "Tashigang Village 1"),
        ]
    )
    village = AdminUnit.objects.get(code=f"{county}101201")
    admin = benchdata.administrator()
    for i, name in enumerate(shop_names()):
        shop_open(
            by=admin,
            name=name,
            platform="taobao",
            opened_on=benchdata.OPENED,
            household=household(admin, village, f"{i:03d}"),
            external_id=f"tb-{i}",
        )
    return {}


def child_preview(data_dir: str, path: str, lift_bytes: bool) -> dict:
    django_setup(data_dir)
    from django.conf import settings

    if lift_bytes:
        settings.VILLAGELINK_IMPORT_MAX_BYTES = 1 << 40

    from villagelink.accounts.models import User
    from villagelink.core.exceptions import ApplicationError
    from villagelink.imports.services import import_preview

    admin = User.objects.get(username="bench-admin")
    baseline, baseline_peak = rss_mb(), maxrss_mb()
    began = time.perf_counter()
    try:
        with open(path, "rb") as upload:
            batch = import_preview(
                by=admin, data=upload, filename="ExportOrderList.xlsx", platform="taobao", background=False
            )
        outcome = (
            f"{batch.get_status_display()}: {batch.rows_done} rows, {batch.created} new, {batch.updated} "
            f"updated, {batch.unchanged} unchanged, {batch.rejected} rejected, {batch.older} older"
        )
    except ApplicationError as error:
        outcome = f"refused: {error.message}"
    return {
        "seconds": time.perf_counter() - began,
        "baseline_mb": baseline,
        "baseline_peak_mb": baseline_peak,
        "peak_mb": maxrss_mb(),
        "outcome": outcome,
    }


def run_child(*arguments: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *arguments], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"The child {' '.join(arguments)} failed (exit {done.returncode}); see above.")
    return json.loads(done.stdout.strip().splitlines()[-1])


def limits() -> dict:
    """The import limits of the project's settings, read in a child so that this process stays small."""
    code = (
        "import json, os, sys; sys.path.insert(0, '.'); "
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.base'; "
        "from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, 'VILLAGELINK_IMPORT_' + n) for n in "
        "('MAX_BYTES', 'MAX_UNCOMPRESSED_BYTES', 'MAX_ROWS')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default=",".join(VARIANTS), help="Some of: " + ", ".join(VARIANTS))
    parser.add_argument("--keep", action="store_true", help="Keep the workbooks in /tmp.")
    parser.add_argument("--child", choices=["prepare", "preview"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--lift-bytes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        print(json.dumps(child_prepare(args.data_dir)))
        return
    if args.child == "preview":
        print(json.dumps(child_preview(args.data_dir, args.file, args.lift_bytes)))
        return

    limit = limits()
    print(
        f"limits: file {limit['MAX_BYTES'] / MIB:.0f} MiB, unpacked {limit['MAX_UNCOMPRESSED_BYTES'] / MIB:.0f} "
        f"MiB, {limit['MAX_ROWS']:,} rows; import_preview(background=False) on SQLite, the file handed over open"
    )
    for name in args.variants.split(","):
        excel, text_numbers, rows = VARIANTS[name]
        rows = {"limit": None, "over": limit["MAX_ROWS"] + 1, "under": limit["MAX_ROWS"] - 1}[rows]
        with tempfile.TemporaryDirectory(prefix="vl-bench-xlsx-") as data_dir:
            path = Path(tempfile.gettempdir() if args.keep else data_dir) / f"vl-bench-xlsx-{name}.xlsx"
            began = time.perf_counter()
            sizes = write_report(
                path,
                excel=excel,
                text_numbers=text_numbers,
                rows=rows,
                unpacked_target=limit["MAX_UNCOMPRESSED_BYTES"] * 95 // 100,
            )
            written = time.perf_counter() - began
            run_child("--child", "prepare", "--data-dir", data_dir)
            preview = ["--child", "preview", "--data-dir", data_dir, "--file", str(path)]
            results = [("", run_child(*preview))]
            if sizes["packed"] > limit["MAX_BYTES"]:  # refused as too large: how it reads if let in
                results.append((f" (MAX_BYTES lifted to let the {sizes['packed'] / MIB:.1f} MiB in)",
                                run_child(*preview, "--lift-bytes")))  # fmt: skip
        print(
            f"\n{name}: {sizes['rows']:,} rows under the header; {'Excel' if excel else 'terse'} layout, "
            f"order numbers as {'shared strings' if text_numbers else 'numbers'} "
            f"(written in {written:.0f} s{', kept at ' + str(path) if args.keep else ''})\n"
            f"  packed {sizes['packed'] / MIB:.1f} MiB; unpacked {sizes['unpacked'] / MIB:.1f} MiB "
            f"(sheet {sizes['sheet'] / MIB:.1f} MiB, shared strings {sizes['strings'] / MIB:.1f} MiB)",
            flush=True,
        )
        for note, result in results:
            print(
                f"  preview{note}: {result['seconds']:.1f} s; RSS after set-up {result['baseline_mb']:.0f} MB "
                f"(peak so far {result['baseline_peak_mb']:.0f} MB), peak {result['peak_mb']:.0f} MB "
                f"({'under' if result['peak_mb'] < GOAL_MB else 'NOT under'} the {GOAL_MB} MB goal)\n"
                f"    outcome: {result['outcome']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
