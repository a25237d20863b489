//! SIPAS through the services: a generated set of responses with known shares comes out exact,
//! files refused whole store nothing, re-imported responses are duplicates, only administrators
//! import, and a paper form keyed in is counted like a row of a file.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cchc_domain::account::{User, UserRole};
use cchc_domain::sipas::{SipasConfig, SipasElement};
use cchc_domain::{AgencyId, Timestamp};
use cchc_services::accounts::NewAccount;
use cchc_services::{App, ServiceError};

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2025-01-10T02:00:00Z").expect("timestamp")
}

async fn user(app: &App, name: &str, role: UserRole, agency: Option<&str>) -> User {
    app.create_account(
        &NewAccount {
            username: name.into(),
            display_name: name.into(),
            role,
            agency: agency.map(|a| AgencyId::parse(a).unwrap()),
            password: "mat-khau-du-dai".into(),
        },
        now(),
    )
    .await
    .expect("account")
}

/// A CSV where agency `a` answers each element's items with `satisfied[a][e]` of `n` satisfied.
fn generated(agencies: &[(&str, [u64; 5])], n: u64) -> String {
    let config = SipasConfig::default();
    let mut csv = String::from("Mã phiếu,Cơ quan");
    for item in config.items.keys() {
        write!(csv, ",C{item}").unwrap();
    }
    csv.push('\n');
    for (a, (agency, satisfied)) in agencies.iter().enumerate() {
        for i in 0..n {
            write!(csv, "{a}-{i},{agency}").unwrap();
            for element in config.items.values() {
                let k = SipasElement::ALL.iter().position(|e| e == element).unwrap();
                let level = if i < satisfied[k] {
                    if i % 2 == 0 {
                        "Rất hài lòng"
                    } else {
                        "4"
                    }
                } else {
                    "Bình thường"
                };
                write!(csv, ",{level}").unwrap();
            }
            csv.push('\n');
        }
    }
    csv
}

#[tokio::test]
async fn a_generated_set_with_known_shares_comes_out_exact() {
    let app = App::open_in_memory().await.unwrap();
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let csv = generated(&[("so-noi-vu", [10, 8, 5, 0, 20]), ("so-tu-phap", [20, 20, 15, 10, 4])], 20);
    let import = app.import_survey(&admin, 2024, "khao-sat.csv", csv.as_bytes(), now()).await.unwrap();
    assert_eq!(import.accepted, 40);
    assert!(import.excluded.is_empty(), "{:?}", import.excluded);
    let index = app.sipas_index(2024).await.unwrap();
    let noi_vu = index.agency(&AgencyId::parse("so-noi-vu").unwrap()).unwrap();
    assert_eq!(noi_vu.responses, 20);
    let config = SipasConfig::default();
    for (k, expected) in [10u64, 8, 5, 0, 20].iter().enumerate() {
        let element = &noi_vu.elements[k];
        let items = config.items_of(element.element).len() as u64;
        assert_eq!(element.answers, 20 * items);
        assert_eq!(element.satisfied, expected * items);
        assert_eq!(element.share.unwrap().share, *expected as f64 / 20.0);
    }
    // Equal weights: (0.5 + 0.4 + 0.25 + 0 + 1) / 5.
    assert!((noi_vu.overall.unwrap().share - 0.43).abs() < 1e-12);
    let province_access = &index.province.elements[0];
    assert_eq!(province_access.satisfied, (10 + 20) * 4);
    assert_eq!(province_access.answers, 40 * 4);
    assert_eq!(index.province.responses, 40);

    // The same file again: every response a duplicate, nothing counted twice.
    let again = app.import_survey(&admin, 2024, "khao-sat.csv", csv.as_bytes(), now()).await.unwrap();
    assert_eq!(again.accepted, 0);
    assert_eq!(again.excluded.len(), 40);
    assert!(again.excluded[0].message.contains("đã được nhập trước đây"));
    assert_eq!(app.sipas_index(2024).await.unwrap().province.responses, 40);
    assert_eq!(app.sipas_index(2025).await.unwrap().province.responses, 0);
    let batches = app.survey_batches(&admin, 2024).await.unwrap();
    assert_eq!(batches.len(), 2);
    assert_eq!(app.survey_exclusions(&admin, batches[0].id).await.unwrap().len(), 40);
}

#[tokio::test]
async fn unusable_files_are_refused_whole_and_only_administrators_import() {
    let app = App::open_in_memory().await.unwrap();
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let officer = user(&app, "canbo-tp", UserRole::Agency, Some("so-tu-phap")).await;
    let good = "Mã phiếu,Cơ quan,C1\nP1,so-noi-vu,5\n";
    let refused = app.import_survey(&officer, 2024, "a.csv", good.as_bytes(), now()).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))));
    for bad in [&b"Ma phieu,C1\nP1,5\n"[..], b"\x00\x01\x02binary", b"PK\x03\x04not a zip"] {
        let refused = app.import_survey(&admin, 2024, "x", bad, now()).await;
        assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
    }
    assert_eq!(app.sipas_index(2024).await.unwrap().province.responses, 0);
    assert!(app.survey_batches(&admin, 2024).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_paper_form_is_keyed_in_once() {
    let app = App::open_in_memory().await.unwrap();
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let answers: BTreeMap<u16, String> =
        [(1, "5".to_string()), (2, "Không hài lòng".into()), (10, String::new())].into_iter().collect();
    let keyed = app.key_response(&admin, 2024, "GIAY-001", "Sở Nội vụ", &answers, now()).await.unwrap();
    assert_eq!(keyed.accepted, 1);
    let again = app.key_response(&admin, 2024, "GIAY-001", "so-noi-vu", &answers, now()).await;
    assert!(matches!(again, Err(ServiceError::Invalid(_))), "{again:?}");
    let bad: BTreeMap<u16, String> = [(1, "7".to_string())].into_iter().collect();
    assert!(app.key_response(&admin, 2024, "GIAY-002", "so-noi-vu", &bad, now()).await.is_err());
    let index = app.sipas_index(2024).await.unwrap();
    assert_eq!(index.province.responses, 1);
    assert_eq!(index.province.elements[0].answers, 2);
    assert_eq!(index.province.elements[0].satisfied, 1);
}

#[tokio::test]
async fn the_configuration_is_data_weights_change_the_index_and_a_bad_one_changes_nothing() {
    let app = App::open_in_memory().await.unwrap();
    let admin = user(&app, "snv", UserRole::Admin, None).await;
    let officer = user(&app, "canbo-tp", UserRole::Agency, Some("so-tu-phap")).await;
    let csv = generated(&[("so-noi-vu", [10, 8, 5, 0, 20])], 20);
    app.import_survey(&admin, 2024, "khao-sat.csv", csv.as_bytes(), now()).await.unwrap();
    let overall = |index: &cchc_domain::sipas::SipasIndex| {
        index.agency(&AgencyId::parse("so-noi-vu").unwrap()).unwrap().overall.unwrap().share
    };
    assert!((overall(&app.sipas_index(2024).await.unwrap()) - 0.43).abs() < 1e-12);
    let (_, version) = app.sipas_config(2024).await.unwrap();
    assert!(version.is_none());

    // Feedback weighs 3, the others 1: (0.5 + 0.4 + 0.25 + 0 + 3 × 1) / 7.
    let document = app.export_sipas_config(2024).await.unwrap();
    let weighted = document.replace(
        "\"element\": \"feedback\",\n      \"name\": \"Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị\",\n      \"weight\": 1.0",
        "\"element\": \"feedback\",\n      \"name\": \"Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị\",\n      \"weight\": 3.0",
    );
    assert_ne!(weighted, document, "{document}");
    assert!(matches!(
        app.import_sipas_config(&officer, 2024, &weighted, "", now()).await,
        Err(ServiceError::Forbidden(_))
    ));
    let broken = weighted.replacen("\"weight\": 1.0", "\"weight\": -2", 1);
    let Err(ServiceError::Invalid(errors)) = app.import_sipas_config(&admin, 2024, &broken, "", now()).await else {
        panic!("a negative weight must be refused");
    };
    assert!(errors.iter().any(|e| e.starts_with("dòng 4: ") && e.contains("không âm")), "{errors:?}");
    assert!((overall(&app.sipas_index(2024).await.unwrap()) - 0.43).abs() < 1e-12);

    assert_eq!(app.import_sipas_config(&admin, 2024, &weighted, "thử", now()).await.unwrap(), 1);
    let expected = (0.5 + 0.4 + 0.25 + 0.0 + 3.0) / 7.0;
    assert!((overall(&app.sipas_index(2024).await.unwrap()) - expected).abs() < 1e-12);
    // Later years use it until they have their own; earlier years keep the default.
    assert_eq!(app.sipas_config(2025).await.unwrap().1.unwrap().year, 2024);
    assert!(app.sipas_config(2023).await.unwrap().1.is_none());
    assert_eq!(app.export_sipas_config(2025).await.unwrap(), weighted);
}
