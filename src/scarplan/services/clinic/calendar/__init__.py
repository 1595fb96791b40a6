"""The clinic calendar: the scheduling set-up (practitioners, devices, rooms, hours) and its
forms, the optimiser's runs over the clinic's instance, booked appointments, the front desk's
day and reminder e-mails.
"""
