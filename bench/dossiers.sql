-- The per-agency dossier table of one window, in DuckDB, by the rules of docs/dossiers.md §2 as
-- `cchc_domain::dossier::{classify, tally, wrong_appointment}` implement them. Run by
-- bench/dossiers_duckdb.py, which replaces:
--   ${SOURCE}  read_csv(…) of the generated file (end to end) or the in-memory table `dossiers`
--   ${WS}      the window's start, TIMESTAMP 'from 00:00:00'
--   ${WE}      the window's end,   TIMESTAMP 'to 23:59:59'
-- and has loaded the working-day calendar `cal(date, is_working, ordinal)` exported from
-- `WorkCalendar::vietnam()` (crates/dossiers/examples/workday_calendar.rs).
--
-- Working days by ordinals (`WorkdayIndex`): with r the receipt's day and n the limit,
-- the legal date is the working day of ordinal ordinal(r) + n (n > 0), ordinal(r) − is_working(r)
-- + 1 (n = 0); none when past the calendar (then the rules know no legal date either).
-- Timestamps are Vietnam local time without zone, as in the file.
WITH d AS (
    SELECT
        DonViXuLy AS agency,
        TrangThaiHoSo AS st,
        NgayTiepNhan AS rec,
        NgayHenTra AS app,
        NgayYeuCauBoSung AS req,
        NgayHoanThanhBoSung AS done,
        coalesce(SoLanBoSung, 0) AS nsup,
        ThoiHanGiaiQuyet AS lim,
        -- Rule 1, end of processing: NgayKetThucXuLy, else NgayTra, in the final statuses;
        -- the supplement request in status 5; none otherwise.
        CASE
            WHEN TrangThaiHoSo IN (3, 7, 8, 9, 10) THEN coalesce(NgayKetThucXuLy, NgayTra)
            WHEN TrangThaiHoSo = 5 THEN NgayYeuCauBoSung
        END AS fin,
        KenhThucHien = 2 AS is_online,
        LoaiDVCTT = 2 AS is_full,
        CoPhiLePhi = 1 AS fee,
        DuocThanhToanTrucTuyen IN (1, 2) AS paid,
        HoSoCoThanhPhanSoHoa = 1 AS dig,
        KetQuaDienTu = 1 AS eres,
        TaiSuDungDuLieu = 1 AS reuse,
        DanhGia BETWEEN 1 AND 5 AS rated,
        DanhGia >= 4 AND DanhGia <= 5 AS satisfied,
        DanhGia BETWEEN 1 AND 2 AS dissatisfied,
        coalesce(PhieuXinLoi, 0) = 1 AS apology
    FROM ${SOURCE}
    -- Rule 7: never received (status 1), or received after the window: not counted.
    WHERE TrangThaiHoSo <> 1 AND NgayTiepNhan <= ${WE}
),
w AS (
    SELECT
        *,
        rec >= ${WS} AS rin,
        fin IS NOT NULL AND fin <= ${WE} AS ended
    FROM d
    -- Ended before the window: not counted.
    WHERE fin IS NULL OR fin >= ${WS}
),
j AS (
    SELECT
        w.*,
        r.is_working AS r_w,
        r.ordinal AS r_ord,
        a.is_working AS a_w,
        a.ordinal AS a_ord,
        q.ordinal AS q_ord,
        c.ordinal AS c_ord,
        CASE
            WHEN w.lim IS NULL OR r.ordinal IS NULL THEN NULL
            WHEN w.lim = 0 THEN r.ordinal - r.is_working + 1
            ELSE r.ordinal + w.lim
        END AS legal_ord
    FROM w
    LEFT JOIN cal r ON r.date = CAST(w.rec AS DATE)
    LEFT JOIN cal a ON a.date = CAST(w.app AS DATE)
    LEFT JOIN cal q ON q.date = CAST(w.req AS DATE)
    LEFT JOIN cal c ON c.date = CAST(w.done AS DATE)
),
k AS (
    SELECT
        j.*,
        l.date AS legal_date,
        -- Rule 5: NgayHenTra, else 23:59:59 of the legal date.
        coalesce(j.app, l.date + INTERVAL '23:59:59') AS appt,
        -- Rule 2: supplement time before the instant judged (the end, or the window's end).
        CASE
            WHEN j.req IS NOT NULL AND j.req < j.fin
                THEN greatest(least(coalesce(j.done, j.fin), j.fin) - j.req, INTERVAL 0 SECOND)
            ELSE INTERVAL 0 SECOND
        END AS pause_end,
        CASE
            WHEN j.req IS NOT NULL AND j.req < ${WE}
                THEN greatest(least(coalesce(j.done, ${WE}), ${WE}) - j.req, INTERVAL 0 SECOND)
            ELSE INTERVAL 0 SECOND
        END AS pause_now,
        -- Rule 8: wrong appointment (NULL = cannot be judged).
        CASE
            WHEN j.app IS NULL OR j.lim IS NULL OR j.a_w IS NULL THEN NULL
            WHEN j.a_w = 0 THEN TRUE
            WHEN l.date IS NULL THEN NULL
            WHEN l.date = CAST(j.app AS DATE) THEN FALSE
            WHEN j.req IS NULL OR j.done IS NULL THEN TRUE
            WHEN j.q_ord IS NULL OR j.c_ord IS NULL THEN NULL
            WHEN j.c_ord > j.q_ord AND j.r_ord + j.lim + (j.c_ord - j.q_ord) = j.a_ord THEN FALSE
            ELSE TRUE
        END AS wrong
    FROM j
    LEFT JOIN (SELECT ordinal, date FROM cal WHERE is_working = 1) l ON l.ordinal = j.legal_ord
),
s AS (
    SELECT
        *,
        -- Rules 3, 4, 6, 7: one state per dossier of the window.
        CASE
            WHEN ended AND st = 7 THEN 'withdrawn'
            WHEN appt IS NULL THEN 'no_appointment'
            WHEN ended AND nsup > 1 THEN 'late'
            WHEN ended AND fin - pause_end > appt THEN 'late'
            WHEN ended AND CAST(fin - pause_end AS DATE) < CAST(appt AS DATE) THEN 'early'
            WHEN ended THEN 'on_time'
            WHEN nsup > 1 OR ${WE} - pause_now > appt THEN 'overdue'
            ELSE 'within'
        END AS state
    FROM k
)
SELECT
    agency,
    count(*) FILTER (WHERE rin) AS received,
    count(*) FILTER (WHERE NOT rin) AS carried_over,
    count(*) FILTER (WHERE state = 'early') AS resolved_early,
    count(*) FILTER (WHERE state = 'on_time') AS resolved_on_time,
    count(*) FILTER (WHERE state = 'late') AS resolved_late,
    count(*) FILTER (WHERE state = 'within') AS in_progress_within,
    count(*) FILTER (WHERE state = 'overdue') AS in_progress_overdue,
    count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn,
    count(*) FILTER (WHERE state = 'no_appointment') AS no_appointment,
    count(*) FILTER (WHERE rin AND is_online) AS online,
    count(*) FILTER (WHERE rin AND is_full) AS online_full,
    count(*) FILTER (WHERE rin AND fee) AS fee_required,
    count(*) FILTER (WHERE rin AND fee AND paid) AS paid_online,
    count(*) FILTER (WHERE rin AND dig) AS digitized,
    count(*) FILTER (WHERE rin AND eres) AS electronic_result,
    count(*) FILTER (WHERE rin AND dig AND eres) AS digitized_with_result,
    count(*) FILTER (WHERE rin AND reuse) AS reused,
    count(*) FILTER (WHERE rin AND rated) AS rated,
    count(*) FILTER (WHERE rin AND satisfied) AS satisfied,
    count(*) FILTER (WHERE state IN ('early', 'on_time', 'late') AND (state = 'late' OR dissatisfied))
        AS resolved_late_or_dissatisfied,
    count(*) FILTER (WHERE state = 'late' AND NOT apology) AS late_without_apology,
    count(*) FILTER (WHERE rin AND wrong) AS wrong_appointment,
    count(*) FILTER (WHERE rin AND wrong IS NOT NULL) AS appointment_checked
FROM s
GROUP BY agency
ORDER BY agency
