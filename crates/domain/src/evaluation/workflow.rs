//! The assessment round: self-assessment → appraisal → explanation → publication, and who may
//! do what at each stage.

/// Stage of a round (one per year and kind of agency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundStage {
    /// Agencies score themselves until the deadline.
    SelfAssessment,
    /// The council appraises; agencies may explain once.
    Appraisal,
    /// Final scores locked and public.
    Published,
}

impl RoundStage {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStage::SelfAssessment => "self_assessment",
            RoundStage::Appraisal => "appraisal",
            RoundStage::Published => "published",
        }
    }
    pub fn parse(text: &str) -> Option<RoundStage> {
        [RoundStage::SelfAssessment, RoundStage::Appraisal, RoundStage::Published]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            RoundStage::SelfAssessment => "Đang tự đánh giá",
            RoundStage::Appraisal => "Đang thẩm định",
            RoundStage::Published => "Đã công bố",
        }
    }
}

/// Stage of one agency's assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssessmentStage {
    /// The agency is scoring itself.
    Draft,
    /// Sent to the council.
    Submitted,
    /// The council gave its scores; the agency may explain within the window.
    Appraised,
    /// The agency explained; the council reconsiders.
    Explained,
    /// Scores final (locked).
    Final,
}

impl AssessmentStage {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentStage::Draft => "draft",
            AssessmentStage::Submitted => "submitted",
            AssessmentStage::Appraised => "appraised",
            AssessmentStage::Explained => "explained",
            AssessmentStage::Final => "final",
        }
    }
    pub fn parse(text: &str) -> Option<AssessmentStage> {
        [
            AssessmentStage::Draft,
            AssessmentStage::Submitted,
            AssessmentStage::Appraised,
            AssessmentStage::Explained,
            AssessmentStage::Final,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
    pub fn label_vn(self) -> &'static str {
        match self {
            AssessmentStage::Draft => "Đang tự chấm",
            AssessmentStage::Submitted => "Đã gửi, chờ thẩm định",
            AssessmentStage::Appraised => "Đã thẩm định, có thể giải trình",
            AssessmentStage::Explained => "Đã giải trình, chờ xem xét",
            AssessmentStage::Final => "Điểm chính thức",
        }
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    SaveSelf,
    Submit,
    Appraise,
    CompleteAppraisal,
    Explain,
    Finalise,
}

impl Step {
    pub fn label_vn(self) -> &'static str {
        match self {
            Step::SaveSelf => "lưu điểm tự chấm",
            Step::Submit => "gửi kết quả tự chấm",
            Step::Appraise => "thẩm định điểm",
            Step::CompleteAppraisal => "hoàn thành thẩm định",
            Step::Explain => "giải trình",
            Step::Finalise => "chốt điểm",
        }
    }
}

/// Whether `step` may happen to an assessment at `stage` in a round at `round`; the Vietnamese
/// reason when not.
pub fn allowed(step: Step, round: RoundStage, stage: AssessmentStage) -> Result<(), String> {
    use AssessmentStage as A;
    use RoundStage as R;
    let ok = match step {
        Step::SaveSelf | Step::Submit => round == R::SelfAssessment && stage == A::Draft,
        Step::Appraise => round == R::Appraisal && matches!(stage, A::Submitted | A::Explained),
        Step::CompleteAppraisal => round == R::Appraisal && stage == A::Submitted,
        Step::Explain => round == R::Appraisal && stage == A::Appraised,
        Step::Finalise => round == R::Appraisal && matches!(stage, A::Appraised | A::Explained),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "không thể {} khi đợt đánh giá «{}» và bản đánh giá «{}»",
            step.label_vn(),
            round.label_vn(),
            stage.label_vn()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_happens_only_at_its_stage() {
        assert!(allowed(Step::SaveSelf, RoundStage::SelfAssessment, AssessmentStage::Draft).is_ok());
        assert!(allowed(Step::SaveSelf, RoundStage::SelfAssessment, AssessmentStage::Submitted).is_err());
        assert!(allowed(Step::Appraise, RoundStage::SelfAssessment, AssessmentStage::Submitted).is_err());
        assert!(allowed(Step::Explain, RoundStage::Appraisal, AssessmentStage::Appraised).is_ok());
        // Explaining is possible once: after it the stage is Explained.
        assert!(allowed(Step::Explain, RoundStage::Appraisal, AssessmentStage::Explained).is_err());
        assert!(allowed(Step::Finalise, RoundStage::Published, AssessmentStage::Explained).is_err());
        let message = allowed(Step::Submit, RoundStage::Published, AssessmentStage::Final).unwrap_err();
        assert!(message.contains("Đã công bố"), "{message}");
    }

    #[test]
    fn names_round_trip() {
        for s in [RoundStage::SelfAssessment, RoundStage::Appraisal, RoundStage::Published] {
            assert_eq!(RoundStage::parse(s.as_str()), Some(s));
        }
        for s in [
            AssessmentStage::Draft,
            AssessmentStage::Submitted,
            AssessmentStage::Appraised,
            AssessmentStage::Explained,
            AssessmentStage::Final,
        ] {
            assert_eq!(AssessmentStage::parse(s.as_str()), Some(s));
        }
    }
}
