//! sea-orm entities: one module per table, plain data with no behaviour.
//! Behaviour lives in the domain modules named after the library's concepts.

pub mod audit_log;
pub mod branch;
pub mod budget;
pub mod budget_movement;
pub mod compartment;
pub mod courier_event;
pub mod delivery_round;
pub mod entered_figure;
pub mod idempotency_key;
pub mod import_seen;
pub mod item;
pub mod job;
pub mod loan;
pub mod loan_request;
pub mod locker;
pub mod locker_command;
pub mod locker_event;
pub mod notification;
pub mod notification_attempt;
pub mod patron_category;
pub mod pick_task;
pub mod purchase_order;
pub mod purchase_proposal;
pub mod purchase_settings;
pub mod reader;
pub mod reader_address;
pub mod refresh_token;
pub mod request_event;
pub mod return_ticket;
pub mod shipment;
pub mod staff;
pub mod staff_branch;
pub mod title;
pub mod vendor;
pub mod vendor_offer;
