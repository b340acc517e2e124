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

## Net-lending stock.

net-lending-barcode-count = give 1 to { $max } barcodes
net-lending-class-prefix = a class prefix is 1 to { $max } letters, digits or dots, like I247
