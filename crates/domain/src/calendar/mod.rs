//! Vietnamese working-day calendar. (Being written.)
