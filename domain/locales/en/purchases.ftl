# Purchases on readers' behalf: proposals, the purchase rules, orders, receiving, the budget,
# the bookstore counter.

## Proposals.

proposal-title-required = the title is required
proposal-title-too-long = the title is longer than { $max } characters
proposal-author-too-long = the author is longer than { $max } characters
proposal-publisher-too-long = the publisher is longer than { $max } characters
proposal-class-too-long = the class is longer than { $max } characters
proposal-note-too-long = the note is longer than { $max } characters
proposal-reason-too-long = the reason is longer than { $max } characters
proposal-price-range = the price must be between ¥0.01 and ¥10,000
proposal-year-implausible = that publication year is not plausible
proposal-reject-reason-required = say why the proposal is rejected
proposal-cancel-reason-required = say why the proposal is cancelled
ALREADY_PROPOSED = you have already proposed this book

## What the purchase rules say of a proposal (stored with it, in Chinese).

rule-isbn-valid = valid ISBN-13
rule-price-over-cap = the price { $price } is over the cap of { $cap } a book
rule-price-review = the price { $price } is high; a librarian reviews it
rule-price-within-cap = the price { $price } is within the cap
rule-year-missing = no publication year given; a librarian checks it
rule-year-too-old = published in { $year }; only books of the last { $years } years are bought
rule-year-ok = published in { $year }
rule-class-excluded = class { $class } (textbooks, study aids, exam preparation) is not bought on request
rule-class-ok = class { $class } may be proposed
rule-class-missing = the class is not known; a librarian reviews it
rule-holdings-enough = the library already has { $copies } copies; request a loan instead
rule-holdings-few = { $copies } copies in the library
rule-monthly-count-over = { $count } proposals this month; at most { $max } a month
rule-monthly-amount-over = this month's proposals would come to { $amount }; the monthly cap is { $max }
rule-monthly-ok = proposal { $count } this month
rule-budget-enough = this year's purchase budget covers it
rule-budget-exhausted = this year's purchase budget is used up
rule-budget-none = no purchase budget is allocated for this year
rule-duplicate-joined = another reader proposed this book; once bought it is lent in the order of the proposals

## The rules' settings (admins, or the rules file).

rules-limit-not-positive = { $key } must be positive
rules-excluded-class-length = excluded_classes: each class prefix has 1 to 20 characters
rules-file-invalid = { $detail }

## Orders, vendors, statements.

vendor-name-length = a vendor name of 1 to 100 characters
order-line-count = choose 1 to { $max } proposals
NOTHING_TO_ORDER = no approved proposal is waiting for an order
NOT_AWAITING_ORDER = a chosen proposal is not waiting for an order
statement-month-format = month is YYYY-MM
NOTHING_TO_PAY = nothing on this statement is left to pay

## Receiving and the bookstore counter.

purchase-barcode-length = a barcode of 1 to 40 characters
purchase-receive-at-bookstore = books are received at a library branch
NOT_BOOKSTORE_CLERK = you are not the clerk of one partner bookstore
NO_PARTNER_BRANCH = this bookstore has no partner library branch yet

## The budget.

budget-allocation-invalid = a year between 2000 and 2100 and a non-negative amount
budget-below-committed = the allocation cannot be less than what is committed and spent
fiscal-year-range = a year between 2000 and 2100

# vendors' feeds and trusted data
rule-price-unverified = the price { $price } is not confirmed by a vendor's or the library's data; a librarian reviews it
rule-class-unverified = the class { $class } is not confirmed by a vendor's or the library's data; a librarian reviews it
rule-holdings-other-editions = the library already has { $copies } copies of this book (other editions included); request a loan instead
offer-feed-too-large = a feed may not exceed 8 MiB
offer-feed-header-unreadable = the header cannot be read: { $error }
offer-feed-header-columns = the header must name the columns isbn, title and price
offer-feed-too-many-rows = at most { $max } rows at a time
offer-row-unreadable = the row cannot be read: { $error }
offer-record-unreadable = unreadable record: { $error }
offer-feed-format = say the feed format with --format csv or --format marc (or name the file .csv, .mrc or .iso)
offer-feed-not-utf8 = a CSV feed must be UTF-8
offer-feed-rejected = line (record) { $line }: { $reason }
offer-feed-summary = offers stored: { $stored }, rejected: { $rejected }
offer-row-isbn = the ISBN “{ $isbn }” is not valid
offer-row-title = the title is missing
offer-row-price = the price “{ $price }” is not valid: 0.01 to 10000 yuan, e.g. 59.00
offer-row-year = the publication year “{ $year }” is not valid
offer-row-stock = the stock “{ $stock }” is not a whole number of 0 or more
offer-row-too-long = the title, author or publisher is over 200 characters, or the class over 40
