-- The per-agency dossier table of one window, in DuckDB, by the rules of docs/dossiers.md §2 as
-- `cchc_domain::dossier::{classify, tally, wrong_appointment}` implement them. Run by
-- bench/dossiers_duckdb.py, which replaces:
--   ${SOURCE}  read_csv(…) of the generated file (end to end) or the in-memory table `dossiers`
--   ${WS}      the window's start, TIMESTAMP 'from 00:00:00'
--   ${WE}      the window's end,   TIMESTAMP 'to 23:59:59'
--   ${WS_US}, ${WE_US}  the same as microseconds since 1970-01-01 (epoch_us)
-- and has loaded the working-day calendar `cal(date, day, is_working, ordinal)` (day = date's
-- Unix day number) exported from
-- `WorkCalendar::vietnam()` (crates/dossiers/examples/workday_calendar.rs).
--
-- Working days by ordinals (`WorkdayIndex`): with r the receipt's day and n the limit,
-- the legal date is the working day of ordinal ordinal(r) + n (n > 0), ordinal(r) − is_working(r)
-- + 1 (n = 0); none when past the calendar (then the rules know no legal date either).
-- Timestamps are Vietnam local time without zone, as in the file; the rules compare them as
-- microseconds (epoch_us: to the second, as the file), days as micros // 86 400 000 000 (the
-- Unix day number, the calendar's `day`).
WITH d AS (
    SELECT
        DonViXuLy AS agency,
        TrangThaiHoSo AS st,
        epoch_us(NgayTiepNhan) AS rec,
        epoch_us(NgayHenTra) AS app,
        epoch_us(NgayYeuCauBoSung) AS req,
        epoch_us(NgayHoanThanhBoSung) AS done,
        coalesce(SoLanBoSung, 0) AS nsup,
        ThoiHanGiaiQuyet AS lim,
        -- Rule 1, end of processing: NgayKetThucXuLy, else NgayTra, in the final statuses
        -- (3, 7, 8, 9, 10); the supplement request in status 5; none otherwise.
        epoch_us(CASE
            WHEN TrangThaiHoSo = 3 OR TrangThaiHoSo BETWEEN 7 AND 10 THEN coalesce(NgayKetThucXuLy, NgayTra)
            WHEN TrangThaiHoSo = 5 THEN NgayYeuCauBoSung
        END) AS fin,
        KenhThucHien = 2 AS is_online,
        LoaiDVCTT = 2 AS is_full,
        CoPhiLePhi = 1 AS fee,
        DuocThanhToanTrucTuyen BETWEEN 1 AND 2 AS paid,
        HoSoCoThanhPhanSoHoa = 1 AS dig,
        KetQuaDienTu = 1 AS eres,
        TaiSuDungDuLieu = 1 AS reuse,
        DanhGia BETWEEN 1 AND 5 AS rated,
        DanhGia BETWEEN 4 AND 5 AS satisfied,
        DanhGia BETWEEN 1 AND 2 AS dissatisfied,
        coalesce(PhieuXinLoi, 0) = 1 AS apology
    FROM ${SOURCE}
    -- Rule 7: never received (status 1), or received after the window: not counted.
    WHERE TrangThaiHoSo <> 1 AND NgayTiepNhan <= ${WE}
),
w AS (
    SELECT
        d.*,
        rec >= ${WS_US} AS rin,
        fin IS NOT NULL AND fin <= ${WE_US} AS ended,
        rec // 86400000000 AS rec_day,
        app // 86400000000 AS app_day
    FROM d
    -- Ended before the window: not counted.
    WHERE fin IS NULL OR fin >= ${WS_US}
),
j AS (
    SELECT
        w.*,
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
    LEFT JOIN cal r ON r.day = w.rec_day
    LEFT JOIN cal a ON a.day = w.app_day
    LEFT JOIN cal q ON q.day = w.req // 86400000000
    LEFT JOIN cal c ON c.day = w.done // 86400000000
),
k AS (
    SELECT
        j.*,
        -- Rule 5: NgayHenTra, else 23:59:59 of the legal date.
        coalesce(j.app, (l.day + 1) * 86400000000 - 1000000) AS appt,
        -- Rule 2: supplement time before the instant judged (the end, or the window's end).
        CASE WHEN j.req < j.fin THEN greatest(least(coalesce(j.done, j.fin), j.fin) - j.req, 0) ELSE 0 END
            AS pause_end,
        CASE WHEN j.req < ${WE_US} THEN greatest(least(coalesce(j.done, ${WE_US}), ${WE_US}) - j.req, 0) ELSE 0 END
            AS pause_now,
        -- Rule 8: wrong appointment (NULL = cannot be judged).
        CASE
            WHEN j.app IS NULL OR j.lim IS NULL OR j.a_w IS NULL THEN NULL
            WHEN j.a_w = 0 THEN TRUE
            WHEN l.day IS NULL THEN NULL
            WHEN l.day = j.app_day THEN FALSE
            WHEN j.req IS NULL OR j.done IS NULL THEN TRUE
            WHEN j.q_ord IS NULL OR j.c_ord IS NULL THEN NULL
            WHEN j.c_ord > j.q_ord AND j.r_ord + j.lim + (j.c_ord - j.q_ord) = j.a_ord THEN FALSE
            ELSE TRUE
        END AS wrong
    FROM j
    LEFT JOIN (SELECT ordinal, day FROM cal WHERE is_working = 1) l ON l.ordinal = j.legal_ord
),
s AS (
    SELECT
        *,
        -- Rules 3, 4, 6, 7: one state per dossier of the window: 1 early, 2 on time, 3 late,
        -- 4 in progress within, 5 overdue, 6 withdrawn, 7 no appointment.
        CASE
            WHEN ended AND st = 7 THEN 6
            WHEN appt IS NULL THEN 7
            WHEN ended AND nsup > 1 THEN 3
            WHEN ended AND fin - pause_end > appt THEN 3
            WHEN ended AND (fin - pause_end) // 86400000000 < appt // 86400000000 THEN 1
            WHEN ended THEN 2
            WHEN nsup > 1 OR ${WE_US} - pause_now > appt THEN 5
            ELSE 4
        END AS state
    FROM k
)
SELECT
    agency,
    coalesce(count_if(rin), 0) AS received,
    coalesce(count_if(NOT rin), 0) AS carried_over,
    coalesce(count_if(state = 1), 0) AS resolved_early,
    coalesce(count_if(state = 2), 0) AS resolved_on_time,
    coalesce(count_if(state = 3), 0) AS resolved_late,
    coalesce(count_if(state = 4), 0) AS in_progress_within,
    coalesce(count_if(state = 5), 0) AS in_progress_overdue,
    coalesce(count_if(state = 6), 0) AS withdrawn,
    coalesce(count_if(state = 7), 0) AS no_appointment,
    coalesce(count_if(rin AND is_online), 0) AS online,
    coalesce(count_if(rin AND is_full), 0) AS online_full,
    coalesce(count_if(rin AND fee), 0) AS fee_required,
    coalesce(count_if(rin AND fee AND paid), 0) AS paid_online,
    coalesce(count_if(rin AND dig), 0) AS digitized,
    coalesce(count_if(rin AND eres), 0) AS electronic_result,
    coalesce(count_if(rin AND dig AND eres), 0) AS digitized_with_result,
    coalesce(count_if(rin AND reuse), 0) AS reused,
    coalesce(count_if(rin AND rated), 0) AS rated,
    coalesce(count_if(rin AND satisfied), 0) AS satisfied,
    coalesce(count_if(state = 3 OR (state <= 2 AND dissatisfied)), 0) AS resolved_late_or_dissatisfied,
    coalesce(count_if(state = 3 AND NOT apology), 0) AS late_without_apology,
    coalesce(count_if(rin AND wrong), 0) AS wrong_appointment,
    coalesce(count_if(rin AND wrong IS NOT NULL), 0) AS appointment_checked
FROM s
GROUP BY agency
ORDER BY agency
