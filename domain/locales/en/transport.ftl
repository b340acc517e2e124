# What the GraphQL and REST transports say about requests themselves (bodies, tokens, paging).

graphql-invalid = the GraphQL document is invalid (see extensions.detail)
text-has-nul = text may not contain NUL (U+0000) characters
apq-hash-mismatch = persistedQuery.sha256Hash does not match the query
apq-not-object = persistedQuery must be an object
apq-version = only persistedQuery version 1 is supported
apq-hash-format = persistedQuery.sha256Hash must be 64 hexadecimal digits
token-expired = access token expired
login-first = log in first
bearer-format = Authorization must be 'Bearer <token>'
bearer-missing = send the { $what } as 'Authorization: Bearer <token>'
page-size = first must be between 1 and { $max }
cursor-invalid = after is not a cursor this list gave
unlock-which = give either a card number or a staff username
return-needs-locker = this return needs lockerId
return-needs-address = this return needs addressId
delivery-needs-locker = delivery needs lockerId
delivery-needs-branch = delivery needs branchId
delivery-needs-address = delivery needs addressId
delivery-one-place = give only the id that goes with the delivery method
home-branch-unknown = choose one of the library's branches
login-once = one login per request
too-many-fields = the query selects { $fields } fields, more than { $max } (aliases and __typename count)
introspection-staff-only = introspection is open to signed-in staff only
body-not-json = the body is not JSON
batch-unsupported = batch requests are not supported
not-graphql-request = the body is not a GraphQL request (query, with optional operationName and variables)
body-too-large = the request body is larger than { $kib } KiB
body-unreadable = the request body could not be read
json-has-nul = { $what }: text may not contain NUL (U+0000) characters
json-invalid = { $what }: { $detail }
request-malformed = malformed request: { $detail }
websocket-protocol = use the WebSocket subprotocol { $protocol }
too-many-operations = at most { $max } subscriptions or operations at once per connection
locker-cursor-invalid = cursor is not one this server gave
too-many-events = at most { $max } events per batch

## What a REST body or token is, in the messages above.

thing-device-token = device token
thing-staff-access-token = staff access token
thing-heartbeat-body = heartbeat body
thing-pickup-code = pickup code
thing-return-code = return code
thing-events = events
thing-app-file = app file
thing-console-file = console file
thing-graphiql-file = GraphiQL file
