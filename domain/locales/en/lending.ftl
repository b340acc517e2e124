# Lending: readers' requests and their history notes, who may borrow, loans and renewals, the desk, picking.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

## Who may borrow

lending-reader-gone = this reader account no longer exists
lending-card-required = borrowing needs a library card: link the card you have, or apply for one online
REGISTRATION_PENDING = the library card waits for an identity check at a branch; once checked, you can borrow
BLOCKED = this library card is blocked from borrowing; please contact the library
lending-blocked-because = this library card is blocked from borrowing ({ $why }); please contact the library
OVERDUE_BOOKS = overdue books must be returned before borrowing more
lending-open-requests-limit = at most { $max } open requests per reader
lending-loans-limit = at most { $max } books on loan or on their way per reader
ALREADY_REQUESTED = you have already asked for this book
ALREADY_ON_LOAN = you already have this book on loan

## Requests

lending-no-copy-to-lend = the library has no copy of this book to lend online
lending-bookstore-not-pickup = a partner bookstore is not a pickup branch
NO_OPEN_PICK_TASK = the request has no open pick task

## Loans

lending-renewals-limit = a loan can be renewed at most { $max } times
READERS_WAITING = { $waiting } readers are waiting for this book; it cannot be renewed
RENEWED_MEANWHILE = the loan was renewed meanwhile

## The desk

HOLD_FOR_OTHER_READER = this copy is held for another reader
HOLD_WITHOUT_REQUEST = the copy is held, but for no open request
COPY_IN_TRANSIT = this copy is in transit; check it in before lending it
LENT_WITHOUT_LOAN = the copy is marked lent, but no loan is open
lending-barcode-length = a barcode has 1 to 40 characters
ALREADY_CATALOGUED = this copy is catalogued already
NOT_HERE = this copy is not at this branch; check it in here first
BARCODE_TAKEN = this barcode is on another copy

## Picking

lending-pick-wrong-copy = barcode { $barcode } is not the copy reserved for this pick (expected { $expected })

## Request history: what the reader is told with each step of their request (stored as written).

history-no-copy-free = no copy free
history-not-on-shelf = copy not on shelf; routing again
history-copy-withdrawn = copy withdrawn from the stock; routing again
history-cancelled-by-reader = cancelled by the reader
history-not-collected = not collected by the pickup deadline
history-checked-out-at-desk = checked out at the desk
history-on-hold-shelf = on the hold shelf
history-transfer = transfer to the pickup branch
