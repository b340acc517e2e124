# The catalogue: ISBNs, call numbers, search, imports, net-lending stock.

isbn13-digits = an ISBN-13 has only digits
isbn13-prefix = an ISBN-13 starts with 978 or 979
isbn-check-digit = the ISBN's check digit is wrong
isbn10-digits = an ISBN-10 has digits (and X last)
isbn-length = an ISBN has 10 or 13 digits

## Search.

search-empty = type a title, an author or an ISBN to search for
search-too-long = a search is at most { $max } characters
search-class-filter = a class filter looks like I247 or TP3
search-years-reversed = yearFrom is after yearTo
search-page-size = a page has 1 to { $max } results
search-too-deep = only the first { $max } results can be paged through; narrow the search

## Call numbers.

call-number-invalid = "{ $text }" is not a CLC call number like I247.5/123

## Imports (MARC, CSV).

import-unknown-branch = unknown branch code "{ $code }"
import-marc-flavour = unknown MARC flavour "{ $flavour }": use marc21 or cnmarc
import-csv-header = CSV header: { $detail }
import-csv-no-title = the CSV header must name a `title` column
import-csv-no-column = the CSV header has no column "{ $column }"

## Import rejections: why a record of the file was not imported (the import summary).

import-rejected = rejected record { $position }: { $reason }
import-rejected-at = rejected record { $position } (byte { $offset }): { $reason }
import-rejected-more = … and { $count } more rejected records
import-sync-branch-absent = the file lists no copy of branch "{ $branch }": nothing withdrawn (check the file and --branch)
import-sync-unreadable = { $count } records of the file could not be read, so their copies are unknown: nothing withdrawn
import-sync-summary = branch "{ $branch }": { $missing } copies not in the file, { $withdrawn } withdrawn ({ $rerouted } with their request routed again), { $kept } kept while in circulation
import-dry-run = dry run: what would change; nothing was written
import-sync-copy = { $barcode } "{ $title }" { $status } → { $outcome }
import-sync-withdrawn = withdrawn
import-sync-rerouted = withdrawn, its request routed again
import-sync-kept = in circulation, kept
import-sync-more = … and { $count } more copies
import-summary = records read: { $read }, titles created: { $titles_created }, titles updated: { $titles_updated }, items created: { $items_created }, items updated: { $items_updated }, rejected: { $rejected }
import-progress = { $read } records, { $rejected } rejected
import-progress-eta = ETA
import-no-title = no title
import-isbn-invalid = invalid ISBN "{ $isbn }": { $why }
import-copy-unknown-branch = unknown branch code "{ $code }" for copy { $barcode }
import-copy-incomplete = a copy needs a barcode and a call number
import-barcode-repeated = barcode { $barcode } is already used by record { $record }
import-write-failed = the database refused the record: { $detail }
import-too-long = { $what } longer than { $max } characters
import-too-many-names = more than { $max } names
import-too-many-subjects = more than { $max } subject headings
import-too-many-copies = more than { $max } copies
import-field-title = title
import-field-subtitle = subtitle
import-field-publisher = publisher
import-field-class = class
import-field-summary = summary
import-field-isbn = isbn
import-field-name = a name
import-field-subject = a subject
import-field-barcode = a barcode
import-field-call-number = a call number
import-field-branch-code = a branch code
import-csv-line = line { $line }: { $reason }
import-csv-bad-year = bad pub_year "{ $value }": a year has four digits
import-csv-bad-price = bad price "{ $value }": a price is in yuan, like 23.00
import-csv-bad-net-lending = bad net_lending "{ $value }": use yes or no
import-csv-incomplete-copy = a copy needs branch, barcode and call_number
import-csv-row-too-long = a row longer than { $kib } KiB; the rest of the file was not read
import-csv-not-utf8 = the row is not valid UTF-8: save the file as UTF-8 and import it again
import-csv-unreadable = the row cannot be read: { $detail }
import-marc-truncated = truncated record: { $bytes } bytes left, a leader alone is 24
import-marc-length-not-number = the leader's record length is not a number
import-marc-length-too-short = record length { $length } is too short
import-marc-length-past-end = record length { $length } does not fit the file ({ $bytes } bytes left)
import-marc-no-record-end = the record does not end where its leader says
import-marc-base-not-number = the leader's base address is not a number
import-marc-base-address = base address { $base } does not point after the directory
import-marc-directory-length = directory length { $length } is not a multiple of 12
import-marc-bad-tag = directory entry with a bad tag "{ $tag }"
import-marc-field-position = field { $tag }: directory length or start is not a number
import-marc-field-past-end = field { $tag } runs past the end of the record
import-marc-field-no-end = field { $tag } has no field terminator
import-marc-bad-indicators = field { $tag } has bad indicators
import-marc-no-title-either = no title (245$a / 200$a)
import-marc-no-title = no title ({ $field })
import-marc-invalid-utf8 = invalid UTF-8 in field { $tag }

## Catalogue export (`hongyan export`): the summary and what a file could not carry.

export-progress = { $titles } titles, { $copies } copies exported
export-summary = titles exported: { $titles }, copies: { $copies }, records written: { $records }, warnings: { $warned }
export-warning = title { $position } "{ $title }": { $reason }
export-warnings-more = … and { $count } more warnings
export-cannot-write = cannot write "{ $file }": { $detail }
export-year-left-out = year { $year } left out: the import takes { $from } to { $to }
export-price-left-out = price { $price } left out: the import takes no negative prices
export-will-be-rejected = { $why }: importing it again will reject the record
export-field-title = title or subtitle
export-field-control = a control field
export-field-copy = copy { $barcode }
export-marc-field-cut = { $what } cut to the { $max } bytes of a MARC field
export-marc-field-left-out = { $what } left out: it does not fit in a MARC record of { $max } bytes
export-marc-text-changed = { $what } has line breaks, control characters or final punctuation MARC cannot keep: importing it again changes it
export-marc-repeated-names = a name is given twice: importing the MARC again keeps one
export-marc-repeated-subjects = a subject heading is given twice: importing the MARC again keeps one

## Net-lending stock.

net-lending-barcode-count = give 1 to { $max } barcodes
net-lending-class-prefix = a class prefix is 1 to { $max } letters, digits or dots, like I247
