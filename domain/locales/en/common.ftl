# Texts shared by every part of the platform: general errors, things' and states' names.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

not-found = { $what } not found
wrong-state = the { $what } is { $state }
unavailable = the service is temporarily unavailable; try again shortly
internal-error = internal error
WRONG_STATE = the current state does not allow this
IDEMPOTENCY_KEY_IN_USE = a request with this idempotency key is in progress; retry shortly
IDEMPOTENCY_KEY_REUSED = this idempotency key was used with different input
idempotency-key-invalid = an idempotency key is 1 to 255 printable characters

## Names of things, for "not found" and "wrong state" (`thing-` + the name, spaces as dashes).

thing-address = address
thing-book = book
thing-branch = branch
thing-budget = budget
thing-category = reader category
thing-compartment = compartment
thing-copy = copy
thing-dead-job = dead job
thing-dead-notification = dead notification
thing-notification = notification
thing-delivery-round = delivery round
thing-endpoint = endpoint
thing-job = background job
thing-loan = loan
thing-locker = locker
thing-parcel = parcel
thing-pick-task = pick task
thing-proposal = proposal
thing-reader = reader
thing-request = request
thing-return-for-this-compartment = return for this compartment
thing-return = return
thing-shipment = shipment
thing-staff-account = staff account
thing-vendor = vendor
thing-waybill = waybill

## Names of states, as clients see them in `extensions.currentState`.

state-PENDING = pending
state-WAITLISTED = waitlisted
state-ROUTED = routed
state-PICKED = picked
state-IN_TRANSIT = in transit
state-READY_FOR_PICKUP = ready for pickup
state-FULFILLED = fulfilled
state-CANCELLED = cancelled
state-EXPIRED = expired
state-FAILED = failed
state-ACTIVE = active
state-RETURNED = returned
state-LOST = lost
state-CLOSED = closed
state-SUBMITTED = submitted
state-APPROVED = approved
state-REJECTED = rejected
state-JOINED = joined
state-ORDERED = ordered
state-RECEIVED = received
state-LOANED = loaned
state-OPEN = open
state-NOT_ON_SHELF = not on shelf
state-STARTED = started
state-COMPLETED = completed
state-AVAILABLE = available
state-RESERVED = reserved
state-ON_HOLD = on hold
state-ON_LOAN = on loan
state-MISSING = missing
state-WITHDRAWN = withdrawn
state-DROPPED = dropped
state-CREATED = created
state-DELIVERED = delivered
state-SENT = sent
state-UNDELIVERABLE = undeliverable
state-DEAD = dead
state-FREE = free
state-OCCUPIED = occupied
state-FAULT = faulty
state-QUEUED = queued

## Names of delivery methods (`method-` + the method).

method-LOCKER = locker
method-BRANCH = pickup at a branch
method-HOME = home delivery
