//! The stable reasons (`extensions.reason`) that tell apart errors sharing a code.
//!
//! A reason is part of the API contract: clients switch on it, so a reason is never renamed
//! or reused for another situation. Its message is the catalogue text keyed by the reason
//! itself (`ALREADY_REQUESTED = …` in `domain/locales/<locale>/*.ftl`), and `docs/errors.md`
//! lists them all; tests keep the three in step.

/// Why an operation was refused, finer than its code.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::EnumIter,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    // ── general ──
    /// The thing is in a state that does not allow this move (`extensions.currentState` says
    /// which).
    WrongState,
    /// Another request with this idempotency key is still being worked on: retry shortly.
    IdempotencyKeyInUse,
    /// This idempotency key was used before with different input.
    IdempotencyKeyReused,
    // ── auth (sign-in, tokens, roles) ──
    /// Only readers do this (a staff member called a reader's operation).
    ReadersOnly,
    /// Only staff do this (a reader called a staff operation).
    StaffOnly,
    /// The caller is not staff with a role allowed to do this.
    StaffRoleRequired,
    /// The branch acted on is outside the staff member's branches.
    NotYourBranch,
    /// The account is switched off (staff) or closed by a merge (reader): its sessions end,
    /// and a closed account cannot be merged again.
    AccountClosed,
    /// An admin tried to change their own role.
    OwnRole,
    /// An admin tried to switch off their own account.
    OwnAccount,
    /// WeChat refused to log this user in (it judges the account high-risk).
    WechatHighRisk,
    // ── identity (readers' accounts, cards, registration, merging, addresses, people) ──
    /// The ID number already has a card (`card`: its number, masked).
    IdNumberTaken,
    /// The reader already has a card: nothing to apply for or bind.
    HasCard,
    /// The account has no library card yet (to borrow, or for a desk to reset its PIN).
    CardRequired,
    /// Staff tried to apply for a card online: the desk registers readers in person.
    StaffCannotApply,
    /// The card is bound to another WeChat user.
    CardBoundElsewhere,
    /// The two accounts to merge carry different ID numbers.
    DifferentPeople,
    /// The two accounts to merge are bound to different WeChat users.
    WechatClash,
    /// The official account's page was opened as a Moments snapshot: no real sign-in there.
    WechatSnapshot,
    /// The WeChat authorisation code is invalid or already used.
    WechatCodeInvalid,
    /// A reader already has this card number.
    CardNumberTaken,
    /// A staff account already has this user name (`username`).
    UsernameTaken,
    /// A request still delivers to this address.
    AddressInUse,
    // ── lending (requests, eligibility, loans, desk, picking, routing) ──
    /// The reader's card still waits for an identity check at a branch (FORBIDDEN).
    RegistrationPending,
    /// The reader's card is blocked from borrowing (FORBIDDEN).
    Blocked,
    /// The reader has overdue books to return before borrowing more (FORBIDDEN).
    OverdueBooks,
    /// The reader already has an open request for this title.
    AlreadyRequested,
    /// The reader already has this title on loan.
    AlreadyOnLoan,
    /// The copy waits on the hold shelf for another reader.
    HoldForOtherReader,
    /// The copy is on hold, but no open request holds it (data to be checked).
    HoldWithoutRequest,
    /// The copy is in transit: it must be checked in before it is lent.
    CopyInTransit,
    /// The copy is marked lent, but no loan of it is open (data to be checked).
    LentWithoutLoan,
    /// The copy bought at a bookstore counter is catalogued already.
    AlreadyCatalogued,
    /// The copy is not at this branch (check it in here first).
    NotHere,
    /// The new barcode is on another copy.
    BarcodeTaken,
    /// Readers wait for the title, so the loan cannot be renewed (`waiting`: how many).
    ReadersWaiting,
    /// The loan was renewed by another request meanwhile.
    RenewedMeanwhile,
    /// The request has no open pick task any more (picked or cancelled meanwhile).
    NoOpenPickTask,
    // ── dispatch (rounds, lockers, branches, home delivery, returns) ──
    /// A courier company carries the parcel: its tracking, not the staff, ends it.
    CourierTracks,
    /// The parcel's waybill is still being booked.
    NotShipped,
    /// The parcel was delivered or sent back already.
    AlreadyEnded,
    /// The locker has no free door for a return.
    LockerFull,
    /// Another locker has this code (`code`).
    LockerCodeTaken,
    /// Another branch has this code (`code`).
    BranchCodeTaken,
    // ── purchases (proposals, rules, orders, receiving, budget, counter) ──
    /// The reader already has a proposal of this book on its way (submitted, approved or
    /// ordered).
    AlreadyProposed,
    /// No approved online proposal is waiting for an order.
    NothingToOrder,
    /// A proposal chosen for an order is not approved, online and waiting for one: nothing
    /// was ordered.
    NotAwaitingOrder,
    /// Everything on the vendor's monthly statement is paid already (or nothing is on it).
    NothingToPay,
    /// The caller is not the clerk of exactly one partner bookstore.
    NotBookstoreClerk,
    /// The bookstore has no partner library branch and there is no central library to own
    /// its copies.
    NoPartnerBranch,
    // ── catalog, notify, stats, others ──
}

impl Reason {
    /// The reason as clients see it (`ALREADY_REQUESTED`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The catalogue text for this reason with the argument `name` set to `value`.
    pub fn with(self, name: &'static str, value: impl std::fmt::Display) -> crate::i18n::Text {
        crate::i18n::Text::from(self).arg(name, value)
    }
}

impl From<Reason> for crate::i18n::Text {
    fn from(reason: Reason) -> Self {
        crate::i18n::Text::new(reason.as_str())
    }
}
