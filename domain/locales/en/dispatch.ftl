# Dispatch: smart lockers and their controllers, delivery rounds, home delivery by courier, returns, branches, and the request history notes they write.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

## Lockers

locker-compartments-format = compartments must look like S:12,M:8,L:4, got "{ $spec }"
locker-compartments-count = a locker has between 1 and 500 compartments
locker-code-length = locker code must be 1-64 characters
LOCKER_CODE_TAKEN = locker { $code } already exists
locker-unknown-token = unknown device token
locker-event-id-length = eventId must be 1-100 characters
locker-event-needs-parcel = this event needs a parcel
locker-too-many-wrong-codes = too many wrong codes; try again later
LOCKER_FULL = no free door in this locker; try another locker or a branch

## Home delivery

dispatch-received-by-too-long = the name of who received it is at most { $max } characters
dispatch-failure-reason-missing = say why the parcel could not be delivered
dispatch-failure-reason-too-long = the reason is at most { $max } characters
COURIER_TRACKS = a courier company carries this parcel: its tracking says whether it was delivered
NOT_SHIPPED = the waybill is still being booked; try again shortly
ALREADY_ENDED = this parcel has ended already (delivered or sent back)
courier-webhook-unsigned = courier webhooks must be signed, and sent within 5 minutes
courier-webhook-malformed = not a tracking event: { $detail }
dispatch-courier-undelivered = the courier could not deliver it
dispatch-courier-undelivered-long = the courier could not deliver it (the reason is too long; see the courier's records)

## Branches

branch-code-and-name = a branch needs a code (1-32 characters) and a name
BRANCH_CODE_TAKEN = branch { $code } already exists
branch-partner-not-bookstore = only a partner bookstore has a partner branch
branch-partner-is-bookstore = the partner branch must be one of the library's branches

## Request history: what the reader is told with each step of their request (stored as written).

history-on-way-to-locker = on its way to { $locker }
history-in-locker = in { $door } at { $locker }
history-picked-up-at-locker = picked up at the locker
history-door-fault = door { $door } at { $locker } is out of order; finding another
history-locker-full-rerouted = { $wanted } had no free compartment; going to { $instead } instead
history-locker-offline-rerouted = { $wanted } is offline; going to { $instead } instead
history-locker-full-hold-shelf = no locker near { $wanted } has a free compartment; the book waits on the hold shelf instead
history-locker-offline-hold-shelf = { $wanted } is offline and no locker near it has a free compartment; the book waits on the hold shelf instead
history-shipped = shipped by { $courier }, waybill { $waybill }
history-shipped-by-staff = delivered by the library's own staff, number { $waybill }
history-delivered = delivered
history-delivered-to = delivered, received by { $name }
