//! The simulators of `hongyan … simulate`: one locker controller ([`locker`], `hongyan
//! locker simulate`) and a whole city's day against the real server ([`city`], `hongyan
//! simulate city`).

pub mod city;
pub mod locker;
