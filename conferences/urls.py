"""The conference API's URLs, under api/v1/ (the pages are in config/site.py's workspace; the
live notes' socket in routing.py)."""

from django.urls import path

from . import api

MEETING = "conferences/<int:conference_id>/"
ITEM = MEETING + "agenda/<int:item_id>/"

api_urlpatterns = [
    path("conferences/", api.ConferenceListView.as_view()),
    path(MEETING, api.ConferenceDetailView.as_view()),
    path(MEETING + "acknowledge/", api.AcknowledgeView.as_view()),
    path(MEETING + "start/", api.ConferenceStartView.as_view()),
    path(MEETING + "close/", api.ConferenceCloseView.as_view()),
    path(MEETING + "cancel/", api.ConferenceCancelView.as_view()),
    path(MEETING + "sign/", api.MinutesSignView.as_view()),
    path(MEETING + "move/", api.MoveView.as_view()),
    path(MEETING + "uninvite/", api.UninviteView.as_view()),
    path(MEETING + "agenda/", api.AgendaView.as_view()),
    path(MEETING + "agenda/order/", api.AgendaOrderView.as_view()),
    path(ITEM, api.AgendaItemView.as_view()),
    path(ITEM + "close/", api.AgendaItemCloseView.as_view()),
    path(ITEM + "decisions/", api.DecisionView.as_view()),
    path(ITEM + "actions/", api.ActionView.as_view()),
    path(MEETING + "minutes/", api.MinutesView.as_view()),
    path(MEETING + "notes/", api.NotesView.as_view()),
    path(MEETING + "notes/<int:note_id>/", api.NoteDetailView.as_view()),
]
