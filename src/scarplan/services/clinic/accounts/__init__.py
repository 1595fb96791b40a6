"""Who uses the clinic app and how they reach it: users and signing in (with the password
policy and the sign-in throttle), portal invitations and the patient portal, identity
correction requests, e-mail (messages, outbox, sender), and starting the app (set-up, the
demo clinic).
"""
