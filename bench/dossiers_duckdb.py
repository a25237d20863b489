#!/usr/bin/env python3
"""DuckDB side of bench/dossiers.sh, and the comparison of per-agency tables.

Subcommands (each prints one JSON line of timings on stdout):

  e2e   --csv F --cal C --window NAME:FROM:TO --out OUT.csv
        one end-to-end run in this process: connect, SET threads, load the calendar, run
        bench/dossiers.sql over read_csv(F) and fetch the table. Run it in a fresh process per
        repetition (the script does), so nothing is cached but the OS's page cache.
  mem   --csv F --cal C --window NAME:FROM:TO [--window …] --out-dir D --repeat 3
        load F once into an in-memory table, then time the query only (best of --repeat) per
        window; also reports the load time.
  compare A.csv B.csv
        compares two per-agency tables (agency + counts); rows whose counts are all zero are
        left out on both sides (an engine may or may not list agencies without dossiers in
        the window). Prints the first differences and exits 1 on any.
  from-json J.json --out OUT.csv
        turns `cchc dossiers indicators --json` output into the same CSV (best effort on the
        shape: a list of objects, or an object keyed by agency, with the count fields by name).

Only the standard library and the `duckdb` package.
"""

import argparse
import csv
import json
import os
import resource
import sys
import time

FIELDS = [
    "received", "carried_over", "resolved_early", "resolved_on_time", "resolved_late",
    "in_progress_within", "in_progress_overdue", "withdrawn", "no_appointment", "online",
    "online_full", "fee_required", "paid_online", "digitized", "electronic_result",
    "digitized_with_result", "reused", "rated", "satisfied", "resolved_late_or_dissatisfied",
    "late_without_apology", "wrong_appointment", "appointment_checked",
]

COLUMNS = {
    "MaHoSo": "VARCHAR", "MaTTHC": "VARCHAR", "MaLinhVuc": "VARCHAR", "DonViXuLy": "VARCHAR",
    "KenhThucHien": "TINYINT", "LoaiDVCTT": "TINYINT", "NgayTiepNhan": "TIMESTAMP",
    "NgayHenTra": "TIMESTAMP", "NgayKetThucXuLy": "TIMESTAMP", "NgayTra": "TIMESTAMP",
    "TrangThaiHoSo": "TINYINT", "ThoiHanGiaiQuyet": "SMALLINT", "CoPhiLePhi": "TINYINT",
    "DuocThanhToanTrucTuyen": "TINYINT", "HoSoCoThanhPhanSoHoa": "TINYINT",
    "KetQuaDienTu": "TINYINT", "TaiSuDungDuLieu": "TINYINT", "DanhGia": "TINYINT",
    "PhieuXinLoi": "TINYINT", "SoLanBoSung": "SMALLINT", "NgayYeuCauBoSung": "TIMESTAMP",
    "NgayHoanThanhBoSung": "TIMESTAMP",
}

HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = int(os.environ.get("DUCKDB_THREADS", "2"))


def sql_string(text):
    return "'" + text.replace("'", "''") + "'"


def read_csv_expr(path):
    columns = ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in COLUMNS.items())
    return (
        f"read_csv({sql_string(path)}, header = true, delim = ',', quote = '\"', "
        f"columns = {{{columns}}}, timestampformat = '%Y%m%d%H%M%S')"
    )


def epoch_us(text):
    # Naive local time, as DuckDB's epoch_us(TIMESTAMP) treats it.
    from datetime import datetime, timezone

    moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    return str(int(moment.timestamp()) * 1_000_000)


def query(source, window):
    _, start, end = window
    with open(os.path.join(HERE, "dossiers.sql"), encoding="utf-8") as f:
        text = f.read()
    return (
        text.replace("${SOURCE}", source)
        .replace("${WS}", f"TIMESTAMP '{start} 00:00:00'")
        .replace("${WE}", f"TIMESTAMP '{end} 23:59:59'")
        .replace("${WS_US}", epoch_us(f"{start} 00:00:00"))
        .replace("${WE_US}", epoch_us(f"{end} 23:59:59"))
    )


def parse_window(text):
    name, start, end = text.split(":")
    return name, start, end


def connect(cal):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {THREADS}")
    con.execute(
        "CREATE TABLE cal AS SELECT date, CAST(date - DATE '1970-01-01' AS BIGINT) AS day, is_working, ordinal "
        + "FROM read_csv("
        + sql_string(cal)
        + ", header = true, columns = {'date': 'DATE', 'is_working': 'INTEGER', 'ordinal': 'INTEGER'})"
    )
    return con


def write_table(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def run_query(con, sql):
    cur = con.execute(sql)
    header = [d[0] for d in cur.description]
    return header, cur.fetchall()


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cmd_e2e(args):
    started = time.perf_counter()
    con = connect(args.cal)
    header, rows = run_query(con, query(read_csv_expr(args.csv), parse_window(args.window)))
    seconds = time.perf_counter() - started
    write_table(args.out, header, rows)
    print(json.dumps({"phase": "e2e", "window": args.window, "seconds": seconds, "peak_mib": peak_mib()}))


def cmd_mem(args):
    import duckdb

    started = time.perf_counter()
    con = connect(args.cal)
    con.execute("CREATE TABLE dossiers AS SELECT * FROM " + read_csv_expr(args.csv))
    load = time.perf_counter() - started
    print(json.dumps({"phase": "load", "seconds": load, "version": duckdb.__version__}), flush=True)
    for text in args.window:
        window = parse_window(text)
        best = None
        for _ in range(args.repeat):
            t = time.perf_counter()
            header, rows = run_query(con, query("dossiers", window))
            s = time.perf_counter() - t
            best = s if best is None else min(best, s)
        write_table(os.path.join(args.out_dir, f"duckdb_mem_{window[0]}.csv"), header, rows)
        print(json.dumps({"phase": "query", "window": text, "seconds": best, "peak_mib": peak_mib()}), flush=True)


def load_table(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ["agency"] + FIELDS if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{path}: thiếu cột {', '.join(missing)}")
        table = {}
        for row in reader:
            counts = tuple(int(row[c]) for c in FIELDS)
            if any(counts):
                table[row["agency"]] = counts
        return table


def cmd_compare(args):
    a, b = load_table(args.a), load_table(args.b)
    differences = []
    for agency in sorted(set(a) | set(b)):
        ra, rb = a.get(agency), b.get(agency)
        if ra is None or rb is None:
            differences.append(f"{agency}: chỉ có ở {'A' if rb is None else 'B'}")
            continue
        for field, x, y in zip(FIELDS, ra, rb):
            if x != y:
                differences.append(f"{agency}.{field}: A={x} B={y}")
    if differences:
        print(f"KHÁC NHAU: {len(differences)} chỗ giữa {args.a} (A) và {args.b} (B); đầu danh sách:")
        for line in differences[:20]:
            print("  " + line)
        sys.exit(1)
    totals = [sum(r[i] for r in a.values()) for i in range(len(FIELDS))]
    print(
        f"KHỚP: {len(a)} đơn vị, {totals[0]} hồ sơ tiếp nhận, {totals[1]} kỳ trước chuyển sang, "
        f"{totals[4]} trễ hạn, {totals[21]} hẹn sai"
    )


def cmd_from_json(args):
    with open(args.json, encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, dict):
        for key in ("results", "agencies", "rows", "by_agency", "per_agency", "don_vi"):
            if key in data:
                data = data[key]
                break
    items = data.items() if isinstance(data, dict) else ((None, x) for x in data)
    rows = []
    for key, item in items:
        counts = item.get("counts", item) if isinstance(item, dict) else {}
        agency = key or item.get("agency") or item.get("code") or item.get("DonViXuLy")
        rows.append([agency] + [int(counts.get(c, 0)) for c in FIELDS])
    rows.sort()
    write_table(args.out, ["agency"] + FIELDS, rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("e2e")
    e.add_argument("--csv", required=True)
    e.add_argument("--cal", required=True)
    e.add_argument("--window", required=True)
    e.add_argument("--out", required=True)
    m = sub.add_parser("mem")
    m.add_argument("--csv", required=True)
    m.add_argument("--cal", required=True)
    m.add_argument("--window", action="append", required=True)
    m.add_argument("--out-dir", required=True)
    m.add_argument("--repeat", type=int, default=3)
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    j = sub.add_parser("from-json")
    j.add_argument("json")
    j.add_argument("--out", required=True)
    args = p.parse_args()
    {"e2e": cmd_e2e, "mem": cmd_mem, "compare": cmd_compare, "from-json": cmd_from_json}[args.cmd](args)


if __name__ == "__main__":
    main()
