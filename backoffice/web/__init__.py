"""The supervisor UI: the exception queue in a browser (``backoffice ui``).

app.py holds the routes; views/ answer each page as HTML or JSON; actions.py is what a person
does to an item; query.py reads the queue for lists and the dashboard; users.py keeps users and
sessions; images.py renders document pages; templates/ and static/ are the pages themselves.
"""
