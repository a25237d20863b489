#!/usr/bin/env bash
# Worked example of the reporting cycle (issue 7): three communes, two districts and three
# departments fill the 2024S1 form (CSV), some late; Sở Nội vụ returns one, accepts the others,
# records the receipt date of a paper report and grants an extension; then the completeness
# table, the results and the consolidated report. Needs python3 to fill the CSV forms.
#
#   cargo build --release && bash docs/worked-example-2024s1.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
CCHC="$PWD/target/release/cchc"
OUT="${1:-$(mktemp -d)}"
DATA="$OUT/data"
export CCHC_DATA="$DATA"
mkdir -p "$OUT"

fill() { # agency, CSV in place: every indicator answered (values given as CODE=N/D, else «không áp dụng»)
    python3 - "$@" <<'PY'
import csv, io, sys
path, values = sys.argv[1], dict(v.split("=", 1) for v in sys.argv[2:])
text = open(path, encoding="utf-8-sig").read()
rows = list(csv.reader(io.StringIO(text)))
for row in rows:
    if len(row) == 6 and "." in row[0] and row[0][0] in "IV":
        if row[0] in values:
            row[2], row[3] = values[row[0]].split("/")
        else:
            row[4] = "Không phát sinh trong kỳ"
    elif len(row) == 6 and row[0] == "VII":
        row[5] = "Đã số hóa kết quả giải quyết TTHC tại Bộ phận Một cửa;\nsố hóa còn chậm ở cấp xã do thiếu máy quét."
out = io.StringIO()
csv.writer(out, lineterminator="\r\n").writerows(rows)
open(path, "w", encoding="utf-8-sig").write(out.getvalue())
PY
}

report() { # agency, day (dd/mm/yyyy), values…
    local agency=$1 day=$2; shift 2
    local form="$OUT/$agency.csv"
    CCHC_TODAY="$day" "$CCHC" report form --agency "$agency" --period 2024S1 --out "$form" >/dev/null
    fill "$form" "$@"
    CCHC_TODAY="$day" "$CCHC" report submit --agency "$agency" --period 2024S1 "$form"
}

# On time (10/06/2024) and late (20/06/2024; due 14/06/2024).
report ubnd-xa-03646 10/06/2024 VII.2.1=63/112 III.6.1=120/125
report ubnd-xa-03649 10/06/2024 VII.2.1=90/100 III.6.1=98/100
report ubnd-xa-03652 20/06/2024 VII.2.1=40/80 III.6.1=70/90
report ubnd-huyen-116 10/06/2024 VII.2.1=70/100 III.6.1=300/310
report ubnd-huyen-118 20/06/2024 VII.2.1=18/20 III.6.1=200/220
report so-tu-phap 10/06/2024 VII.2.1=50/50 III.6.1=55/60
report so-tai-chinh 12/06/2024 VI.2.3=15/100 VII.2.1=30/30 III.6.1=80/80
report so-noi-vu 20/06/2024 IV.4.1=850/1000 VII.2.1=20/20 III.6.1=22/25

export CCHC_TODAY=21/06/2024
# Sở Nội vụ: returns one, accepts the others; the late district had sent a paper report on 13/06;
# Sở Nội vụ had been granted until 21/06.
"$CCHC" report return --period 2024S1 --agency ubnd-xa-03649 --reason "Số liệu số hóa chưa khớp phần mềm một cửa"
for a in ubnd-xa-03646 ubnd-xa-03652 ubnd-huyen-116 ubnd-huyen-118 so-tu-phap so-tai-chinh so-noi-vu; do
    "$CCHC" report accept --period 2024S1 --agency "$a"
done
"$CCHC" report receive --period 2024S1 --agency ubnd-huyen-118 --date 13/06/2024 --reason "Bản giấy theo Công văn số 215/UBND ngày 13/6/2024"
"$CCHC" report extend --period 2024S1 --agency so-noi-vu --until 21/06/2024 --reason "Chờ kết quả khảo sát SIPAS"

"$CCHC" report status --period 2024S1
"$CCHC" --json report status --period 2024S1 > "$OUT/status.json"
"$CCHC" report results --period 2024S1 > "$OUT/results.txt"
"$CCHC" report consolidate --period 2024S1 --number 123 --signer "Nguyễn Văn A" \
    --signer-title "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC" --date 21/06/2024 --out "$OUT/bao-cao-6-thang.docx"
echo "Files in $OUT"
