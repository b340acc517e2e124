//! The authorization matrix: every query and mutation of the schema, called by every kind of
//! caller (anonymous, a reader and another reader, staff of the resource's branch and of
//! another branch, a bookstore clerk and another store's clerk, an admin) on resources that
//! belong to reader A, branch A and bookstore SHOP. Callers outside a field's allowed set get
//! FORBIDDEN, NOT_FOUND or UNAUTHENTICATED and no data; callers inside it never get
//! FORBIDDEN or UNAUTHENTICATED; and no answer to another reader, a clerk or an anonymous
//! caller carries reader A's name, card or ids. A field added to the schema without a row
//! here fails the test.

use std::collections::BTreeSet;

use hongyan_domain::auth::StaffRole;
use hongyan_domain::branches::{self, NewBranch};
use hongyan_domain::entity::branch::BranchKind;
use hongyan_domain::people;
use hongyan_tests::TestOptions;
use serde_json::{json, Value};

use crate::library::{locker, to_branch, Library, CHECK_OUT};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    ReaderA,
    ReaderB,
    PickerA,
    DispatcherA,
    LibrarianA,
    LibrarianB,
    Clerk,
    OtherClerk,
    Admin,
}

use Who::*;

const EVERYONE: &[Who] = &[
    Anonymous,
    ReaderA,
    ReaderB,
    PickerA,
    DispatcherA,
    LibrarianA,
    LibrarianB,
    Clerk,
    OtherClerk,
    Admin,
];
const SIGNED_IN: &[Who] = &[
    ReaderA,
    ReaderB,
    PickerA,
    DispatcherA,
    LibrarianA,
    LibrarianB,
    Clerk,
    OtherClerk,
    Admin,
];
const READERS: &[Who] = &[ReaderA, ReaderB];
const STAFF: &[Who] = &[
    PickerA,
    DispatcherA,
    LibrarianA,
    LibrarianB,
    Clerk,
    OtherClerk,
    Admin,
];
const DESK_ANYWHERE: &[Who] = &[PickerA, DispatcherA, LibrarianA, LibrarianB, Admin];
const PICKERS_OF_A: &[Who] = &[PickerA, DispatcherA, LibrarianA, Admin];
const DISPATCHERS_OF_A: &[Who] = &[DispatcherA, LibrarianA, Admin];
const LIBRARIANS: &[Who] = &[LibrarianA, LibrarianB, Admin];
const ADMIN: &[Who] = &[Admin];
const CLERKS: &[Who] = &[Clerk, OtherClerk];
/// Who may apply for a card online: readers (who have one here: CONFLICT) and people not
/// signed in.
const APPLICANTS: &[Who] = &[Anonymous, ReaderA, ReaderB];

/// Calls that authenticate rather than act (they check a secret or a WeChat code): not
/// part of the matrix.
const LOGINS: [&str; 6] = [
    "loginWithWechat",
    "loginWithWechatWeb",
    "loginWithCard",
    "staffLogin",
    "refreshToken",
    "bindCard",
];

/// What the matrix runs on.
struct Fixture {
    branch_a: String,
    shop: String,
    reader_a: String,
    card_a: &'static str,
    request_a: String,
    pick_task_a: String,
    loan_a: String,
    address_a: String,
    proposal_a: String,
    locker_a: String,
    book: String,
    vendor_shop: String,
    month: String,
    year: i32,
    nobody: String,
}

/// One field: its document, variables and who may call it.
struct Case {
    field: &'static str,
    doc: &'static str,
    vars: Value,
    allowed: &'static [Who],
}

fn case(field: &'static str, doc: &'static str, vars: Value, allowed: &'static [Who]) -> Case {
    Case {
        field,
        doc,
        vars,
        allowed,
    }
}

fn cases(f: &Fixture) -> Vec<Case> {
    let a = json!({"b": f.branch_a});
    vec![
        case("me", "{ me { id } }", json!({}), SIGNED_IN),
        case("myAddresses", "{ myAddresses { id } }", json!({}), READERS),
        case("staffMe", "{ staffMe { id } }", json!({}), STAFF),
        case(
            "appSettings",
            "{ appSettings { libraryName cardPolicy } }",
            json!({}),
            EVERYONE,
        ),
        case(
            "readerByCard",
            "query($c: String!) { readerByCard(cardNumber: $c) { id name } }",
            json!({"c": f.card_a}),
            DESK_ANYWHERE,
        ),
        case(
            "deskReader",
            "query($id: ID!) { deskReader(id: $id) { id } }",
            json!({"id": f.nobody}),
            DESK_ANYWHERE,
        ),
        case(
            "findReaders",
            "{ findReaders(query: \"读者\") { id } }",
            json!({}),
            DESK_ANYWHERE,
        ),
        case(
            "netLendingStock",
            "{ netLendingStock { copies } }",
            json!({}),
            STAFF,
        ),
        case(
            "patronCategories",
            "{ patronCategories { code } }",
            json!({}),
            STAFF,
        ),
        case(
            "messageChannels",
            "{ messageChannels { configured } }",
            json!({}),
            ADMIN,
        ),
        case("staffAccounts", "{ staffAccounts { id } }", json!({}), ADMIN),
        case(
            "searchBooks",
            "{ searchBooks(query: \"围城\") { totalCount } }",
            json!({}),
            EVERYONE,
        ),
        case(
            "book",
            "query($id: ID!) { book(id: $id) { id } }",
            json!({"id": f.book}),
            EVERYONE,
        ),
        case(
            "bookByIsbn",
            "{ bookByIsbn(isbn: \"9787020024759\") { id } }",
            json!({}),
            EVERYONE,
        ),
        case(
            "isbnLookup",
            "{ isbnLookup(isbn: \"9787020024759\") { isbn offer { priceCents } } }",
            json!({}),
            EVERYONE,
        ),
        case(
            "myRequests",
            "{ myRequests { edges { node { id } } } }",
            json!({}),
            READERS,
        ),
        case(
            "request",
            "query($id: ID!) { request(id: $id) { id } }",
            json!({"id": f.request_a}),
            &[ReaderA],
        ),
        case(
            "myLoans",
            "{ myLoans { edges { node { id } } } }",
            json!({}),
            READERS,
        ),
        case(
            "pickingList",
            "query($b: ID!) { pickingList(branchId: $b) { id } }",
            a.clone(),
            PICKERS_OF_A,
        ),
        case(
            "deliveryRounds",
            "query($b: ID!) { deliveryRounds(branchId: $b) { id } }",
            a.clone(),
            DISPATCHERS_OF_A,
        ),
        case(
            "shipments",
            "query($b: ID!) { shipments(branchId: $b) { id } }",
            a.clone(),
            DISPATCHERS_OF_A,
        ),
        case(
            "homeParcels",
            "query($b: ID!) { homeParcels(branchId: $b) { recipient } }",
            a.clone(),
            DISPATCHERS_OF_A,
        ),
        case(
            "waitlists",
            "query($b: ID!) { waitlists(branchId: $b) { waiting } }",
            a.clone(),
            DISPATCHERS_OF_A,
        ),
        case(
            "expiredPickups",
            "query($b: ID!) { expiredPickups(branchId: $b) { id } }",
            a.clone(),
            DISPATCHERS_OF_A,
        ),
        case("branches", "{ branches { id } }", json!({}), EVERYONE),
        case("lockers", "{ lockers { id } }", json!({}), EVERYONE),
        case("deadJobs", "{ deadJobs(first: 5) { id } }", json!({}), ADMIN),
        case(
            "myNotifications",
            "{ myNotifications(first: 5) { id } }",
            json!({}),
            READERS,
        ),
        case(
            "readerNotifications",
            "query($r: ID!) { readerNotifications(readerId: $r, first: 5) { id } }",
            json!({"r": f.reader_a}),
            DESK_ANYWHERE,
        ),
        case(
            "deadNotifications",
            "{ deadNotifications(first: 5) { id } }",
            json!({}),
            ADMIN,
        ),
        case(
            "myProposals",
            "{ myProposals { edges { node { id } } } }",
            json!({}),
            READERS,
        ),
        case(
            "counterProposals",
            "{ counterProposals { id } }",
            json!({}),
            CLERKS,
        ),
        case(
            "proposals",
            "{ proposals { edges { node { id } } } }",
            json!({}),
            LIBRARIANS,
        ),
        case(
            "budget",
            "query($y: Int!) { budget(fiscalYear: $y) { totalCents } }",
            json!({"y": f.year}),
            LIBRARIANS,
        ),
        case("orders", "{ orders(first: 5) { id } }", json!({}), LIBRARIANS),
        case("vendors", "{ vendors { id } }", json!({}), STAFF),
        case(
            "vendorStatement",
            "query($v: ID!, $m: String!) { vendorStatement(vendorId: $v, month: $m) { totalCents } }",
            json!({"v": f.vendor_shop, "m": f.month}),
            &[LibrarianA, LibrarianB, Clerk, Admin],
        ),
        case(
            "purchaseRules",
            "{ purchaseRules { priceCapCents } }",
            json!({}),
            SIGNED_IN,
        ),
        case(
            "purchaseStats",
            "query($y: Int!) { purchaseStats(fiscalYear: $y) { proposals } }",
            json!({"y": f.year}),
            LIBRARIANS,
        ),
        case(
            "stats",
            "query($f: String!, $b: ID) { stats(from: $f, to: $f, branchId: $b) { loans } }",
            json!({"f": format!("{}-01-01", f.year), "b": f.branch_a}),
            &[LibrarianA, Admin],
        ),
        case(
            "monthlyFigures",
            "query($y: Int!, $b: ID) { monthlyFigures(year: $y, branchId: $b) { value } }",
            json!({"y": f.year, "b": f.branch_a}),
            &[LibrarianA, Admin],
        ),
        // Mutations.
        case(
            "enterMonthlyFigures",
            "mutation($m: String!, $b: ID) { enterMonthlyFigures(month: $m, branchId: $b, visits: 1) { value } }",
            json!({"m": format!("{}-01", f.year), "b": f.branch_a}),
            &[LibrarianA, Admin],
        ),
        case(
            "importMonthlyFigures",
            "mutation { importMonthlyFigures(csv: \"month,visits\\n\") { stored } }",
            json!({}),
            ADMIN,
        ),
        case(
            "addAddress",
            "mutation { addAddress(input: {label: \"家\", recipient: \"某\", phone: \"13900000000\", address: \"某路\"}) { id } }",
            json!({}),
            READERS,
        ),
        case(
            "updateAddress",
            "mutation($id: ID!) { updateAddress(id: $id, input: {label: \"家\", recipient: \"甲\", phone: \"13800000000\", address: \"张家港\"}) { id } }",
            json!({"id": f.address_a}),
            &[ReaderA],
        ),
        case(
            "removeAddress",
            "mutation($id: ID!) { removeAddress(id: $id) }",
            json!({"id": f.address_a}),
            &[ReaderA],
        ),
        case(
            "requestBook",
            "mutation($i: RequestBookInput!) { requestBook(input: $i) { id } }",
            json!({"i": {"bookId": f.book, "delivery": {"method": "BRANCH", "branchId": f.branch_a}}}),
            READERS,
        ),
        case(
            "cancelRequest",
            "mutation($id: ID!) { cancelRequest(id: $id) { id } }",
            json!({"id": f.request_a}),
            &[ReaderA],
        ),
        case(
            "renewLoan",
            "mutation($id: ID!) { renewLoan(id: $id) { id } }",
            json!({"id": f.loan_a}),
            &[ReaderA],
        ),
        case(
            "confirmPick",
            "mutation($t: ID!) { confirmPick(pickTaskId: $t, barcode: \"A0001\") { id } }",
            json!({"t": f.pick_task_a}),
            PICKERS_OF_A,
        ),
        case(
            "reportNotOnShelf",
            "mutation($t: ID!) { reportNotOnShelf(pickTaskId: $t) { id } }",
            json!({"t": f.pick_task_a}),
            PICKERS_OF_A,
        ),
        case(
            "checkOut",
            "mutation { checkOut(barcode: \"A0003\", cardNumber: \"82000002\") { id } }",
            json!({}),
            PICKERS_OF_A,
        ),
        case(
            "checkIn",
            "mutation($b: ID!) { checkIn(barcode: \"A0003\", branchId: $b) { action } }",
            a.clone(),
            PICKERS_OF_A,
        ),
        case(
            "catalogueCopy",
            "mutation($b: ID!) { catalogueCopy(barcode: \"A0003\", newBarcode: \"A9003\", callNumber: \"I247/3\", netLending: true, branchId: $b) { action } }",
            a.clone(),
            PICKERS_OF_A,
        ),
        case(
            "setBookstorePartner",
            "mutation($s: ID!, $b: ID!) { setBookstorePartner(bookstoreId: $s, branchId: $b) { id } }",
            json!({"s": f.shop, "b": f.branch_a}),
            ADMIN,
        ),
        case(
            "startDeliveryRound",
            "mutation($id: ID!) { startDeliveryRound(id: $id) { id } }",
            json!({"id": f.nobody}),
            &[DispatcherA, LibrarianA, LibrarianB, Admin],
        ),
        case(
            "markShipmentDelivered",
            "mutation($id: ID!) { markShipmentDelivered(shipmentId: $id) { id } }",
            json!({"id": f.nobody}),
            &[DispatcherA, LibrarianA, LibrarianB, Admin],
        ),
        case(
            "markShipmentFailed",
            "mutation($id: ID!) { markShipmentFailed(shipmentId: $id, reason: \"无人\") { id } }",
            json!({"id": f.nobody}),
            &[DispatcherA, LibrarianA, LibrarianB, Admin],
        ),
        case(
            "startReturn",
            "mutation($l: ID!, $k: ID) { startReturn(loanId: $l, method: LOCKER, lockerId: $k) { id } }",
            json!({"l": f.loan_a, "k": f.locker_a}),
            &[ReaderA],
        ),
        case(
            "resendPickupCode",
            "mutation($id: ID!) { resendPickupCode(requestId: $id) { id } }",
            json!({"id": f.request_a}),
            &[ReaderA],
        ),
        case(
            "retryDeadJob",
            "mutation($id: ID!) { retryDeadJob(id: $id) }",
            json!({"id": f.nobody}),
            ADMIN,
        ),
        case(
            "updateNotificationSettings",
            "mutation { updateNotificationSettings(input: {channels: [WECHAT]}) { channels } }",
            json!({}),
            READERS,
        ),
        case(
            "linkWechatOfficialAccount",
            "mutation { linkWechatOfficialAccount(code: \"oa-code\") }",
            json!({}),
            READERS,
        ),
        case(
            "retryNotification",
            "mutation($id: ID!) { retryNotification(id: $id) { id } }",
            json!({"id": f.nobody}),
            ADMIN,
        ),
        case(
            "proposePurchase",
            "mutation { proposePurchase(input: {isbn: \"9787020024759\", title: \"某书\", priceCents: 3000}) { id } }",
            json!({}),
            READERS,
        ),
        case(
            "setNetLending",
            "mutation { setNetLending(barcodes: [\"NO-SUCH-COPY\"], netLending: false) { changed } }",
            json!({}),
            LIBRARIANS,
        ),
        case(
            "setNetLendingByClass",
            "mutation($b: ID!) { setNetLendingByClass(branchId: $b, classPrefix: \"Z9\", netLending: false) { changed } }",
            json!({"b": f.branch_a}),
            &[LibrarianA, Admin],
        ),
        case(
            "savePatronCategory",
            "mutation { savePatronCategory(input: {code: \"ADULT\", name: \"成人证\", maxLoans: 10, maxOpenRequests: 5, loanDays: 30, maxRenewals: 1}) { code } }",
            json!({}),
            ADMIN,
        ),
        case(
            "setReaderCategory",
            "mutation($id: ID!) { setReaderCategory(readerId: $id) { id } }",
            json!({"id": f.nobody}),
            LIBRARIANS,
        ),
        case(
            "importReaderCategories",
            "mutation { importReaderCategories(csv: \"card_number,category\\n\") { assigned } }",
            json!({}),
            LIBRARIANS,
        ),
        case(
            "setStaffRole",
            "mutation($id: ID!) { setStaffRole(id: $id, role: PICKER, branchCodes: [\"A\"]) { id } }",
            json!({"id": f.nobody}),
            ADMIN,
        ),
        case(
            "setReaderBlocked",
            "mutation($id: ID!) { setReaderBlocked(readerId: $id, blocked: true, reason: \"测试\") { id } }",
            json!({"id": f.nobody}),
            LIBRARIANS,
        ),
        case(
            "setReaderLimits",
            "mutation($id: ID!) { setReaderLimits(readerId: $id, maxLoans: 5, maxOpenRequests: 5) { id } }",
            json!({"id": f.nobody}),
            LIBRARIANS,
        ),
        case(
            "resetReaderPin",
            "mutation($id: ID!) { resetReaderPin(readerId: $id) { pin } }",
            json!({"id": f.nobody}),
            DESK_ANYWHERE,
        ),
        case(
            "mergeReaders",
            "mutation($id: ID!) { mergeReaders(keepId: $id, mergeId: $id) { id } }",
            json!({"id": f.nobody}),
            LIBRARIANS,
        ),
        case(
            "lendInStorePurchase",
            "mutation($id: ID!) { lendInStorePurchase(proposalId: $id) { id } }",
            json!({"id": f.nobody}),
            CLERKS,
        ),
        case(
            "inStorePurchase",
            "mutation { inStorePurchase(input: {cardNumber: \"82000002\", isbn: \"9787020008735\", title: \"店里的书\", priceCents: 2000}) { id } }",
            json!({}),
            CLERKS,
        ),
        case(
            "reviewProposal",
            "mutation($id: ID!) { reviewProposal(id: $id, approve: false, reason: \"不合适\") { id } }",
            json!({"id": f.proposal_a}),
            LIBRARIANS,
        ),
        case(
            "cancelProposal",
            "mutation($id: ID!) { cancelProposal(id: $id, reason: \"撤回\") { id } }",
            json!({"id": f.proposal_a}),
            &[ReaderA, LibrarianA, LibrarianB, Admin],
        ),
        case(
            "receivePurchase",
            "mutation($id: ID!, $b: ID!) { receivePurchase(proposalId: $id, barcode: \"N0001\", callNumber: \"I247/1\", branchId: $b) { id } }",
            json!({"id": f.proposal_a, "b": f.branch_a}),
            &[LibrarianA, Admin],
        ),
        case(
            "addVendor",
            "mutation { addVendor(name: \"又一家书店\") { id } }",
            json!({}),
            ADMIN,
        ),
        case(
            "importVendorOffers",
            "mutation($v: ID!) { importVendorOffers(vendorId: $v, csv: \"isbn,title,price\\n\") { stored } }",
            json!({"v": f.vendor_shop}),
            LIBRARIANS,
        ),
        case(
            "placePurchaseOrder",
            "mutation($v: ID!) { placePurchaseOrder(vendorId: $v) { id } }",
            json!({"v": f.vendor_shop}),
            LIBRARIANS,
        ),
        case(
            "payVendorStatement",
            "mutation($v: ID!, $m: String!) { payVendorStatement(vendorId: $v, month: $m) { paid } }",
            json!({"v": f.vendor_shop, "m": f.month}),
            LIBRARIANS,
        ),
        case(
            "allocateBudget",
            "mutation($y: Int!) { allocateBudget(fiscalYear: $y, totalCents: 2000000) { totalCents } }",
            json!({"y": f.year}),
            ADMIN,
        ),
        case(
            "updatePurchaseRules",
            "mutation { updatePurchaseRules(input: {priceCapCents: 20000, maxAgeYears: 3, excludedClasses: [], holdingsLimit: 2, monthlyCount: 3, monthlyAmountCents: 30000}) { priceCapCents } }",
            json!({}),
            ADMIN,
        ),
        case(
            "createStaffAccount",
            "mutation { createStaffAccount(input: {username: \"new-one\", password: \"shelf-keeper-2468\", role: PICKER, branchCodes: [\"A\"]}) { id } }",
            json!({}),
            ADMIN,
        ),
        case(
            "setStaffPassword",
            "mutation($id: ID!) { setStaffPassword(id: $id, password: \"night-shelf-route-7351\") { id } }",
            json!({"id": f.nobody}),
            ADMIN,
        ),
        case(
            "registerReader",
            "mutation($i: RegisterReaderInput!) { registerReader(input: $i) { id } }",
            json!({"i": {"name": "申请人", "idNumber": "11010519491231002X", "mobile": "13912345678",
                         "homeBranchId": f.branch_a, "pin": "2468"}}),
            APPLICANTS,
        ),
        case(
            "verifyReader",
            "mutation($r: ID!) { verifyReader(readerId: $r) { id } }",
            json!({"r": f.reader_a}),
            DESK_ANYWHERE,
        ),
        case(
            "unlockLogin",
            "mutation($c: String!) { unlockLogin(cardNumber: $c) }",
            json!({"c": f.card_a}),
            DESK_ANYWHERE,
        ),
        case(
            "setStaffAccountDisabled",
            "mutation($id: ID!) { setStaffAccountDisabled(id: $id, disabled: true) { id } }",
            json!({"id": f.nobody}),
            ADMIN,
        ),
    ]
}

/// Builds the resources: reader A's request (on A's picking list), loan, address and
/// proposal; a bookstore sale (so SHOP has a vendor and a statement); a locker at A.
async fn fixture(lib: &Library, tokens: &Tokens) -> Fixture {
    let app = &lib.app;
    let book = lib
        .title(
            "矩阵之书",
            &[
                ("A", "A0001", "I247/1"),
                ("A", "A0002", "I247/1"),
                ("A", "A0003", "I247/1"),
            ],
        )
        .await;
    let year = chrono::Datelike::year(&(chrono::Utc::now() + chrono::Duration::hours(8)));
    app.gql_as(
        Some(&tokens.admin),
        "mutation($y: Int!) { allocateBudget(fiscalYear: $y, totalCents: 1000000) { totalCents } }",
        json!({"y": year}),
    )
    .await
    .data();
    let request = lib
        .request(&tokens.reader_a, &book, to_branch(lib, "A"))
        .await;
    let task = lib
        .picking(&tokens.picker_a, "A")
        .await
        .into_iter()
        .find(|t| t["request"]["id"] == request["id"])
        .expect("reader A's pick");
    let loan = app
        .gql_as(
            Some(&tokens.librarian_a),
            CHECK_OUT,
            json!({"b": "A0002", "c": "82000001"}),
        )
        .await;
    let address = app
        .gql_as(
            Some(&tokens.reader_a),
            "mutation { addAddress(input: {label: \"家\", recipient: \"甲读者\", phone: \"13800001111\", address: \"甲路 1 号\"}) { id } }",
            json!({}),
        )
        .await;
    let proposal = app
        .gql_as(
            Some(&tokens.reader_a),
            "mutation { proposePurchase(input: {isbn: \"9787544253994\", title: \"甲的荐购\", priceCents: 15000, pubYear: 2026}) { id status } }",
            json!({}),
        )
        .await;
    assert_eq!(proposal.data()["proposePurchase"]["status"], "SUBMITTED");
    let sale = app
        .gql_as(
            Some(&tokens.clerk),
            "mutation { inStorePurchase(input: {cardNumber: \"82000002\", isbn: \"9787020090006\", title: \"乙在店里买的书\", priceCents: 2500, pubYear: 2026, clcClass: \"I247.5\"}) { status } }",
            json!({}),
        )
        .await;
    assert_eq!(sale.data()["inStorePurchase"]["status"], "LOANED");
    let vendors = app
        .gql_as(
            Some(&tokens.admin),
            "{ vendors { id branchId } }",
            json!({}),
        )
        .await;
    let vendor_shop = vendors.data()["vendors"]
        .as_array()
        .expect("vendors")
        .iter()
        .find(|v| v["branchId"] == lib.id("SHOP").as_str())
        .and_then(|v| v["id"].as_str())
        .expect("SHOP's vendor")
        .to_owned();
    let (locker_a, _) = locker(lib, "L-MATRIX", "S=2", (31.88, 120.55)).await;
    let reader_a = app
        .gql_as(Some(&tokens.reader_a), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let local = chrono::Utc::now() + chrono::Duration::hours(8);
    Fixture {
        branch_a: lib.id("A"),
        shop: lib.id("SHOP"),
        reader_a,
        card_a: "82000001",
        request_a: text(&request["id"]),
        pick_task_a: text(&task["id"]),
        loan_a: text(&loan.data()["checkOut"]["id"]),
        address_a: text(&address.data()["addAddress"]["id"]),
        proposal_a: text(&proposal.data()["proposePurchase"]["id"]),
        locker_a,
        book,
        vendor_shop,
        month: local.format("%Y-%m").to_string(),
        year,
        nobody: uuid::Uuid::now_v7().to_string(),
    }
}

fn text(v: &Value) -> String {
    v.as_str().expect("a string id").to_owned()
}

struct Tokens {
    reader_a: String,
    reader_b: String,
    picker_a: String,
    dispatcher_a: String,
    librarian_a: String,
    librarian_b: String,
    clerk: String,
    other_clerk: String,
    admin: String,
}

impl Tokens {
    fn of(&self, who: Who) -> Option<&str> {
        Some(match who {
            Anonymous => return None,
            ReaderA => &self.reader_a,
            ReaderB => &self.reader_b,
            PickerA => &self.picker_a,
            DispatcherA => &self.dispatcher_a,
            LibrarianA => &self.librarian_a,
            LibrarianB => &self.librarian_b,
            Clerk => &self.clerk,
            OtherClerk => &self.other_clerk,
            Admin => &self.admin,
        })
    }
}

/// The root fields the schema has.
async fn schema_fields(lib: &Library) -> BTreeSet<String> {
    let r = lib
        .app
        .gql(
            "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    ["queryType", "mutationType"]
        .iter()
        .flat_map(|t| {
            r.data()["__schema"][t]["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .map(|f| text(&f["name"]))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_for_every_caller_follows_the_authorization_matrix() {
    let lib = Library::open(TestOptions {
        worker: false,
        env: vec![("HONGYAN_RATE_LIMIT_READER", "off".into())],
        ..TestOptions::default()
    })
    .await;
    let app = &lib.app;
    branches::create(
        &app.ctx.db,
        vec![NewBranch {
            code: "SHOP2".into(),
            name: "另一家书店".into(),
            kind: BranchKind::Bookstore,
            address: "张家港".into(),
            position: Some((31.87, 120.54)),
        }],
        app.ctx.now(),
    )
    .await
    .expect("second bookstore");
    people::add_reader(&app.ctx.db, "82000001", "123456", "甲读者", app.ctx.now())
        .await
        .expect("reader A");
    let tokens = Tokens {
        reader_a: app.reader_token("82000001", "123456").await,
        reader_b: lib.reader("82000002").await,
        picker_a: lib.staff("picker-a", StaffRole::Picker, &["A"]).await,
        dispatcher_a: lib
            .staff("dispatcher-a", StaffRole::Dispatcher, &["A"])
            .await,
        librarian_a: lib.staff("librarian-a", StaffRole::Librarian, &["A"]).await,
        librarian_b: lib.staff("librarian-b", StaffRole::Librarian, &["B"]).await,
        clerk: lib
            .staff("clerk", StaffRole::BookstoreClerk, &["SHOP"])
            .await,
        other_clerk: lib
            .staff("clerk-2", StaffRole::BookstoreClerk, &["SHOP2"])
            .await,
        admin: lib.staff("admin", StaffRole::Admin, &[]).await,
    };
    let f = fixture(&lib, &tokens).await;
    let matrix = cases(&f);

    // Every field of the schema has a row (logins aside), and no row names a missing field.
    let listed: BTreeSet<String> = matrix
        .iter()
        .map(|c| c.field.to_owned())
        .chain(LOGINS.iter().map(|l| (*l).to_owned()))
        .collect();
    assert_eq!(
        listed,
        schema_fields(&lib).await,
        "fields without a matrix row, or rows without a field"
    );

    let secrets = [
        "甲读者".to_owned(),
        f.card_a.to_owned(),
        f.reader_a.clone(),
        f.request_a.clone(),
        f.loan_a.clone(),
        f.address_a.clone(),
        f.proposal_a.clone(),
    ];
    let mut failures = vec![];
    let mut calls = 0;
    // Refusals first (they must change nothing), then the allowed calls (which may).
    for refused in [true, false] {
        for c in &matrix {
            for &who in EVERYONE {
                if c.allowed.contains(&who) == refused {
                    continue;
                }
                calls += 1;
                let r = app.gql_as(tokens.of(who), c.doc, c.vars.clone()).await;
                let code = r.0["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned();
                if refused {
                    let data = &r.0["data"];
                    let no_data = data.is_null() || data[c.field].is_null();
                    if !(["FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"].contains(&code.as_str())
                        && no_data)
                    {
                        failures.push(format!("{} as {who:?} was not refused: {}", c.field, r.0));
                    }
                } else if ["FORBIDDEN", "UNAUTHENTICATED"].contains(&code.as_str()) {
                    failures.push(format!("{} as {who:?} was refused: {}", c.field, r.0));
                }
                if matches!(who, Anonymous | ReaderB | Clerk | OtherClerk) {
                    let body = r.0.to_string();
                    if let Some(s) = secrets.iter().find(|s| body.contains(s.as_str())) {
                        failures.push(format!(
                            "{} as {who:?} shows reader A's {s}: {body}",
                            c.field
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls broke the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!(
        "authorization matrix: {} fields x {} callers = {calls} calls",
        matrix.len(),
        EVERYONE.len()
    );
}
