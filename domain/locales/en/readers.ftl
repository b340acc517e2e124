# Readers and sign-in: logins, tokens, roles, passwords, request limits, readers' accounts and cards, registration, merging, addresses, people, notification settings.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

## Roles and sign-in

READERS_ONLY = readers only
STAFF_ONLY = staff only
STAFF_ROLE_REQUIRED = this needs a staff role
NOT_YOUR_BRANCH = that branch is outside your scope
ACCOUNT_CLOSED = a closed account cannot be merged
OWN_ROLE = you cannot change your own role
OWN_ACCOUNT = you cannot switch off your own account
WECHAT_HIGH_RISK = WeChat refused this user (high-risk account)
session-account-closed = this account was switched off or merged; please log in again
login-failed = wrong card number / user name or PIN / password
login-locked = too many failed logins; try again later, or ask a librarian to unlock the account
staff-account-disabled = account disabled
refresh-token-invalid = invalid refresh token
refresh-token-reused = refresh token was already used; please log in again
refresh-token-expired = refresh token expired
refresh-token-used = refresh token was already used
access-token-expired = access token expired
access-token-invalid = invalid access token
wechat-login-code-format = code must be a WeChat login code
wechat-login-unconfigured = WeChat login is not configured (HONGYAN_WECHAT_APPID / HONGYAN_WECHAT_SECRET)
wechat-login-code-invalid = WeChat login code is invalid or already used
wechat-login-throttled = WeChat login rate limit reached
wechat-official-account-missing = the library has no WeChat official account configured

## Passwords

password-too-short = a password has at least { $min } characters (not counting spaces around it)
password-has-username = the password must not contain the user name
password-too-weak = the password is too common or too easy to guess; choose a longer, less regular one

## Request limits

rate-limit-client = too many requests from this address: at most { $max } a minute
rate-limit-reader = too many requests by this reader: at most { $max } a minute

## Readers' accounts and cards

ID_NUMBER_TAKEN = this ID number already has a card ({ $card }); if you forgot the PIN, ask at the library
HAS_CARD = your account already has a library card: there is none to apply for or bind
CARD_REQUIRED = this account has no library card yet; to borrow, bind the card you have or apply online
STAFF_CANNOT_APPLY = readers apply for a card online themselves; staff register readers at the desk
CARD_BOUND_ELSEWHERE = this card is bound to another WeChat account; have it unbound at the library first
DIFFERENT_PEOPLE = the two accounts carry different ID numbers: they are not the same person
WECHAT_CLASH = the two accounts are bound to different WeChat users and merging would lose one; have the reader unbind one first
WECHAT_SNAPSHOT = tap the button at the bottom of the page to use the full service, then sign in
WECHAT_CODE_INVALID = the WeChat authorisation has expired or was used; open the page again
CARD_NUMBER_TAKEN = that card number is already issued
USERNAME_TAKEN = user { $username } already exists
reader-account-gone = this reader account no longer exists
reader-name-length = name must be 1-64 characters
card-number-format = card number must be 4-32 letters and digits
pin-format = PIN must be 4-12 digits
register-pin-required = set a PIN of 4-12 digits for signing in with the card
register-branch-unknown = choose one of the library's branches
merge-same-account = an account cannot be merged into itself
id-number-length = an ID number has 18 characters
id-number-characters = an ID number has 17 digits and then a digit or X
id-number-region-or-birth = the region or birth date in the ID number is wrong
id-number-check-character = the ID number's check character is wrong

## Staff accounts

staff-username-format = user name must be 3-64 letters, digits, '.', '_' or '-'
staff-branch-required = staff other than admins need at least one branch

## Readers at the desk: search, categories, blocks and limits

reader-search-first-range = first: 1 to { $max }
reader-search-empty = enter a card number, mobile number or name
reader-search-too-long = a search has at most 50 characters
category-code-format = a code has 1 to 20 letters, digits or underscores
category-name-length = a name has 1 to 40 characters
category-limit-range = must be between { $min } and { $max }
category-import-too-large = the file must not exceed 1 MiB
category-import-header-unreadable = the header row cannot be read: { $error }
category-import-header-columns = the header row needs the columns card_number and category
category-import-too-many-rows = at most { $max } rows at a time
block-reason-required = blocking a card needs a reason
block-reason-too-long = a reason has at most { $max } characters
reader-limit-range = a limit is 0 to { $max }

## Delivery addresses

ADDRESS_IN_USE = a request delivers to this address; it can be removed once that request is over
phone-format = phone must be an 11-digit mobile number
address-label-length = label must be 1-{ $max } characters
address-recipient-length = recipient must be 1-{ $max } characters
address-street-length = address must be 1-{ $max } characters
address-position-range = latitude/longitude out of range
address-quota = at most { $max } saved addresses

## Notification settings

email-invalid = that email address is not valid
notify-channel-twice = a channel is listed twice
notify-kind-unknown = unknown kind "{ $kind }"
notify-kind-essential = { $kind } cannot be muted: it tells you where to collect your book
