//! Evaluation of agencies: the PAR Index criteria framework and its scoring, and the year-end
//! task-completion rating.

pub mod documents;
pub mod framework;
pub mod rating;
pub mod score;
pub mod workflow;

pub use framework::{
    check_framework, AutoMeasure, Band, Criterion, EvaluationArea, Framework, FrameworkProblem, Level, Mapping, Method,
    Points, Step, SubCriterion, SurveyMeasure, ASSESSED_KINDS,
};
pub use rating::{
    check_rules, rate, rules_for_year, Component, ComponentScore, Level as RatingLevel, Rating, RatingBand,
    RatingInput, RatingOverride, RatingRules, RulesPart, RulesProblem, Source as RatingSource,
};
pub use score::{points_of, ranks, score_agency, AgencyScore, Answer, AreaScore, IndexValue, SubScore};
pub use workflow::{allowed, AssessmentStage, RoundStage, Step as WorkflowStep};
