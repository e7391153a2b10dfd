"""The access matrix (issue 11): every named URL, every role, an object inside and outside the role's scope.

How it works
- The URL list comes from the URL conf (`get_resolver()`); a named pattern without an entry in TABLE fails
  `test_every_url_has_an_entry`, so no view can be added without deciding who may use it.
- The expectations are written down by hand in TABLE from the programme's access policy (below), never computed
  with the code's own permission functions (`lindung/accounts/access.py`, the selectors).
- Objects live in four nested "tiers": Tegal Harum (51.71.03.2008) ⊂ Kota Denpasar (another village, Serangan
  51.71.01.1001) ⊂ Bali (a Badung village, 51.03.05.2001) ⊂ the country (an NTB village, 52.01.01.1001). Each role
  covers some tiers; for a tier inside the role's scope the table's status is expected, for a tier outside it a
  404 (a 403 or 405 that does not depend on the object is accepted too, because it reveals nothing), and the
  out-of-scope answer must equal the answer for an object that does not exist at all (indistinguishable).
- Every answer (200, 403 and 404 pages alike) is searched for the names, NIKs, village names, usernames and
  programme names of the tiers outside the role's scope (zero leaks); list pages are also asked directly for an
  outside NIK, name or village code.
- Some URLs reach less than the role's region (Row.scope): a trainer only their own training programmes (the
  Denpasar district's belongs to another trainer), the village roles no programme page, everyone only their own API
  tokens; there the out-of-reach objects must answer like missing ones too, and their titles must not show.
- The REST API (/api/v1/, django-ninja) is tried with the test client's session (a token acts with its user's
  rights; the API's own tests cover tokens and CSRF, which the test client does not enforce); JSON bodies for
  POST/PATCH; every API error must carry the envelope {"error": {"code", "message", ...}}.
- Every request runs in a savepoint that is rolled back, so a permitted POST cannot disturb the next request; every
  POST that the policy refuses (and every POST with an outside object in its body) must leave every Lindung table
  and the task queue exactly as they were.

Policy (what the programme intends)
- Anonymous: only the login page and the health check; everything else redirects to the login page.
- Everyone logged in sees only people and regions inside their scope; outside → 404.
- Village operator and village head: read and change the workers of their own village (list, detail, create, edit,
  dependants, import and import batches, transfers, decile refresh); full NIK on request (audited); no user
  administration (403).
- City officer: like the operator for every village of the city; user administration in the city; no NIK reveal.
- BPJS officer: read-only in the city (changes 403); NIK reveal allowed.
- Trainer: read-only workers of the city; no changes; no NIK reveal.
- Province viewer: read-only in the province; no NIK reveal; no user administration.
- Admin: everything, everywhere.
- Training: trainers, the city officer and the admin create programmes; a trainer manages only their own (another
  trainer's → 404), the city officer and the admin every programme in scope; the province viewer and the BPJS
  officer read; the village roles see no programme page but their own village's participants (read-only), where
  the programme list sends them.
- REST API: the same rules; anonymous → 401 (no redirect); reads 200, creations 201, queued work 202, changes
  refused to read-only roles 403; a wrong method 405 whoever asks. The docs page's static files are public.
- API tokens: every logged-in user makes and revokes their own; nobody (the admin included) sees another's.

Where the application answers differently today and the difference is not a leak, the entry is listed in
KNOWN_DISAGREEMENTS with the application's status and the reason; the test then pins that status (so a further
change is noticed) and fails once the application follows the policy, so that the entry is removed.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus, urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from lindung.accounts.models import Role, User
from lindung.api.models import ApiToken
from lindung.billing.models import Invoice, Payment
from lindung.membership.models import RegistrationFile
from lindung.programmes.models import Agreement, Programme
from lindung.programmes.services import programme_create
from lindung.regions.models import Region
from lindung.regions.services import regions_load
from lindung.registry.models import ImportBatch, Worker, WorkerTransfer
from lindung.targeting.models import (
    Override,
    SelectionEntry,
    SelectionList,
    SelectionVersion,
    VillageDeliberation,
)
from lindung.training.models import Enrolment, TrainingProgramme, TrainingSession

TEGAL_HARUM = "51.71.03.2008"
DENPASAR = "51.71"

ROLES = (
    "anonymous",
    Role.VILLAGE_OPERATOR.value,
    Role.VILLAGE_HEAD.value,
    Role.CITY_OFFICER.value,
    Role.BPJS_OFFICER.value,
    Role.TRAINER.value,
    Role.PROVINCE_VIEWER.value,
    Role.ADMIN.value,
)

TIERS = ("th", "dps", "bdg", "ntb")
TIER_LABEL = {
    "th": "Tegal Harum 51.71.03.2008",
    "dps": "Serangan 51.71.01.1001 (Kota Denpasar)",
    "bdg": "a Badung village 51.03.05.2001",
    "ntb": "an NTB village 52.01.01.1001",
    "missing": "a missing object",
}
#: The tiers each role may see (written from the policy, not from accounts.access).
SCOPE = {
    "anonymous": (),
    "village_operator": ("th",),
    "village_head": ("th",),
    "city_officer": ("th", "dps"),
    "bpjs_officer": ("th", "dps"),
    "trainer": ("th", "dps"),
    "province_viewer": ("th", "dps", "bdg"),
    "admin": TIERS,
}
#: (village of the tier's worker, village the tier's transfer goes to)
VILLAGES = {
    "th": (TEGAL_HARUM, "51.71.01.1002"),
    "dps": ("51.71.01.1001", "51.71.01.1002"),
    "bdg": ("51.03.05.2001", "51.03.05.1004"),
    "ntb": ("52.01.01.1001", "52.01.01.1004"),
}
NIKS = {"th": "5171034508900101", "dps": "5171014508900202", "bdg": "5103054508900303", "ntb": "5201014508900404"}
NAMES = {"th": "Wayan Satuuji", "dps": "Made Duauji", "bdg": "Nyoman Tigauji", "ntb": "Ketut Empatuji"}
#: (region, name) of a programme per tier: over the city (seen from Tegal Harum, which lies below it), over a
#: district of the city without Tegal Harum, over Badung, over an NTB regency.
PROGRAMMES = {
    "th": (DENPASAR, "Program Kotauji"),
    "dps": ("51.71.01", "Program Kecamatanuji"),
    "bdg": ("51.03", "Program Badunguji"),
    "ntb": ("52.01", "Program Lombokuji"),
}
#: (region, title, trainer) of a training programme per tier: the Denpasar trainer owns only Tegal Harum's (over the
#: city); the Denpasar district's programme belongs to another trainer of the city.
TRAININGS = {
    "th": (DENPASAR, "Pelatihan Kotauji", "trainer"),
    "dps": ("51.71.01", "Pelatihan Kecamatanuji", "other_trainer"),
    "bdg": ("51.03", "Pelatihan Badunguji", None),
    "ntb": ("52.01", "Pelatihan Lombokuji", None),
}
MISSING_ID = 987_654_321
MISSING_NIK = "5171034508909999"  # well-formed, nobody's
MISSING_CODE = "51.71.03.9999"  # a well-formed village code inside Tegal Harum's district that does not exist

#: Object kinds of URLs whose kwargs name no region-bound object.
UNSCOPED = (None, "template", "guide", "asset", "rest")
METHODS = ("GET", "POST", "PATCH")


# --- The expectation table -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Row:
    """One URL name: what its kwargs point at, and the expected status per role for each method tried."""

    obj: str | None = None  # a kind World.kwargs knows (None: no kwargs)
    GET: tuple[int, ...] | None = None
    POST: tuple[int, ...] | None = None
    PATCH: tuple[int, ...] | None = None
    #: a POST/PATCH body for (world, tier); None posts an empty body
    body: Callable[[World, str], dict[str, Any]] | None = None
    #: query strings tried on list pages, formatted with an outside tier's nik/name/village
    queries: tuple[str, ...] = ()
    #: the body is sent as JSON (the REST API)
    json: bool = False
    #: the object is named in the query string, not in the path: (world, tier) → "?…"
    query: Callable[[World, str], str] | None = None
    #: the tiers a role may reach through this URL when narrower than its region scope (SCOPE), e.g. a trainer and
    #: another trainer's programme; the leak check still uses SCOPE (plus these rows' own object names)
    scope: dict[str, tuple[str, ...]] | None = None

    def tiers_of(self, role: str) -> tuple[str, ...]:
        if self.scope is not None and role in self.scope:
            return self.scope[role]
        return SCOPE[role]

    def expected(self, method: str) -> tuple[int, ...]:
        codes = getattr(self, method)
        assert codes is not None and len(codes) == len(ROLES)
        return codes


def _child_body(world: World, tier: str) -> dict[str, Any]:
    return {"child-name": "Anak Uji", "child-birth_date": "2015-01-01", "child-school_level": "sd"}


def _nik_correction_body(world: World, tier: str) -> dict[str, Any]:
    return {"new_nik": NIKS.get(tier, NIKS["th"])[:12] + "0909", "reason": "salah ketik"}


def _confirm_body(world: World, tier: str) -> dict[str, Any]:
    return {"decision": "confirm"}


# Each tuple gives the status per role in ROLES order:
#   (anonymous, village_operator, village_head, city_officer, bpjs_officer, trainer, province_viewer, admin)
READ = (302, 200, 200, 200, 200, 200, 200, 200)  # reading inside the scope
CHANGE = (302, 200, 200, 200, 403, 403, 403, 200)  # a change page / a refused form re-rendered
CHANGE_DONE = (302, 302, 302, 302, 403, 403, 403, 302)  # a change that redirects when done (or refused by rule)
POST_ONLY = (302, 405, 405, 405, 405, 405, 405, 405)  # a GET on a POST-only endpoint
USER_ADMIN = (302, 403, 403, 200, 403, 403, 403, 200)
USER_ADMIN_DONE = (302, 403, 403, 302, 403, 403, 403, 302)
CITY_MANAGE = (302, 403, 403, 200, 403, 403, 403, 200)  # programmes and agreements: city officer and admin
CITY_MANAGE_DONE = (302, 403, 403, 302, 403, 403, 403, 302)
LOGGED_IN = (302, 200, 200, 200, 200, 200, 200, 200)

CLAIM_APPROVE = (302, 403, 200, 200, 403, 403, 403, 200)  # head, city officer, admin
CLAIM_BPJS = (302, 403, 403, 200, 200, 403, 403, 200)  # BPJS officer, city officer, admin
PLAN_CHANGE = (302, 200, 200, 200, 200, 403, 403, 200)  # the village roles and BPJS/city

# training (issue 8): programmes are created by trainers, the city officer and the admin; a trainer manages only
# their own programmes (another trainer's answers 404, see TRAINING_SCOPE); the city officer and the admin manage
# every programme in scope; the province viewer and the BPJS officer read; the village roles do not see programme
# pages (they read their own village's participants on their own page, where the programme list sends them).
TRAIN_CREATE = (302, 403, 403, 200, 403, 200, 403, 200)
TRAIN_CHANGE_DONE = (302, 403, 403, 302, 403, 302, 403, 302)
TRAINING_SCOPE = {"village_operator": (), "village_head": (), "trainer": ("th",)}
#: Lists of programmes and participants: a trainer's show only their own programmes (the others' titles must not show).
OWN_PROGRAMMES = {"trainer": ("th",)}

# The REST API (django-ninja, /api/v1/): anonymous 401 in the error envelope (never a redirect); a wrong method
# 405 before anything else; the same roles and scope as the pages. Tried with the session of the test client
# (a token acts with its user's rights, so the answers are the same; the API's own tests cover tokens and CSRF).
API_READ = (401, 200, 200, 200, 200, 200, 200, 200)
API_CREATED = (401, 201, 201, 201, 403, 403, 403, 201)
API_CHANGED = (401, 200, 200, 200, 403, 403, 403, 200)
API_ACCEPTED = (401, 202, 202, 202, 403, 403, 403, 202)
API_WRONG_METHOD = (405, 405, 405, 405, 405, 405, 405, 405)
API_NOTHING_HERE = (404, 404, 404, 404, 404, 404, 404, 404)
API_CLAIM_BPJS = (401, 403, 403, 409, 409, 403, 403, 409)
PUBLIC = (200, 200, 200, 200, 200, 200, 200, 200)
#: Everyone reaches only their own API tokens: the "th" token is the caller's own, the others belong to the tiers'
#: village operators (the admin included: nobody manages another person's tokens).
OWN_ONLY = dict.fromkeys(ROLES, ("th",))

QUOTE = {
    "event": {"type": "death", "date": "2026-03-10"},
    "member": {"declared_income": 1_000_000, "membership_start": "2022-04-01", "paid_through": "2026-03"},
    "children": [
        {"name": "Ayu", "birth_date": "2019-01-15", "level": "SD", "grade": 1, "married": False, "working": False}
    ],
}


def _status_body(world: World, tier: str) -> dict[str, Any]:
    return {"to": "enrolled"}  # no participant chosen: back to the programme with a message


def _api_worker_body(world: World, tier: str) -> dict[str, Any]:
    return {
        "nik": "5171034508900999",
        "name": "Baru Uji",
        "sex": "P",
        "birth_date": "1990-08-05",
        "village": TEGAL_HARUM,
    }


def _api_phone_body(world: World, tier: str) -> dict[str, Any]:
    return {"phone": "081234567890"}


def _api_upload_body(world: World, tier: str) -> dict[str, Any]:
    # Kept (under MEDIA_ROOT, a temporary folder here) and queued for checking: 202 for the roles that import.
    return {"file": SimpleUploadedFile("pekerja.txt", b"bukan berkas pekerja", content_type="text/plain")}


def _api_payment_body(world: World, tier: str) -> dict[str, Any]:
    programme = world.programmes.get(tier, world.programmes["th"])
    return {
        "programme": programme.pk, "value_date": "2026-01-20", "amount": 1_680_000, "reference": "TRF-API",
        "budget_source": "dana_desa",
    }  # fmt: skip


def _api_reversal_body(world: World, tier: str) -> dict[str, Any]:
    return {"reason": "salah catat"}


def _api_quote_body(world: World, tier: str) -> dict[str, Any]:
    return QUOTE


def _skills_query(world: World, tier: str) -> str:
    return "?" + urlencode({"wilayah": MISSING_CODE if tier == "missing" else VILLAGES[tier][0]})


TABLE: dict[str, Row] = {
    # core
    "core:home": Row(GET=LOGGED_IN),
    "core:health": Row(GET=(200, 200, 200, 200, 200, 200, 200, 200)),
    # accounts — a logged-in user asking for the login page is sent home (302)
    "accounts:login": Row(GET=(200, 302, 302, 302, 302, 302, 302, 302), POST=(200, 302, 302, 302, 302, 302, 302, 302)),
    # Logging out is POST only for everyone, anonymous included (Django's LogoutView; a GET cannot log anyone
    # out through a forged link). 405 shows nothing, so it is the one anonymous answer that is not a 302.
    "accounts:logout": Row(GET=(405, 405, 405, 405, 405, 405, 405, 405), POST=(302, 302, 302, 302, 302, 302, 302, 302)),
    "accounts:password_change": Row(GET=LOGGED_IN, POST=LOGGED_IN),
    "accounts:users": Row(GET=USER_ADMIN, queries=("?q={username}",)),
    "accounts:user_new": Row(GET=USER_ADMIN, POST=USER_ADMIN),
    "accounts:users_bulk": Row(GET=USER_ADMIN, POST=USER_ADMIN),
    "accounts:user_detail": Row("user", GET=USER_ADMIN),
    "accounts:user_password_reset": Row("user", GET=USER_ADMIN, POST=USER_ADMIN),
    "accounts:user_toggle_active": Row("user", GET=USER_ADMIN, POST=USER_ADMIN_DONE),
    # core: the user guide (a static MkDocs build; see KNOWN_DISAGREEMENTS for anonymous)
    "core:guide": Row(GET=LOGGED_IN),
    "core:guide_page": Row("guide", GET=LOGGED_IN),
    # regions
    "regions:village_list": Row(GET=READ, queries=("?q={village}", "?q={village_name}")),
    "regions:region_detail": Row("region", GET=READ),
    # reporting: dashboards of any region in scope (aggregates only); /dasbor/ sends everyone to their own region.
    # The poverty-rate form belongs to a city/regency: for a village code it is 404 for everyone (its own tests
    # cover the city officer and the refused roles at city level).
    "reporting:home": Row(GET=(302, 302, 302, 302, 302, 302, 302, 302)),
    "reporting:dashboard": Row("region", GET=READ),
    "reporting:data": Row("region", GET=READ),
    "reporting:xlsx": Row("region", GET=READ),
    "reporting:pdf": Row("region", GET=READ),
    "reporting:poverty_rate": Row(
        "region", GET=(302, 404, 404, 404, 404, 404, 404, 404), POST=(302, 404, 404, 404, 404, 404, 404, 404)
    ),
    # registry: workers
    "registry:workers": Row(GET=READ, queries=("?q={nik}", "?q={name}", "?desa={village}")),
    "registry:worker_new": Row(GET=CHANGE, POST=CHANGE),
    "registry:worker_detail": Row("worker", GET=READ),
    "registry:worker_edit": Row("worker", GET=CHANGE, POST=CHANGE),
    # NIK reveal: admin, village operator, village head, BPJS officer
    "registry:worker_nik_reveal": Row("worker", GET=POST_ONLY, POST=(302, 200, 200, 403, 200, 403, 403, 200)),
    "registry:worker_dependant_new": Row("dependant", GET=POST_ONLY, POST=CHANGE_DONE, body=_child_body),
    "registry:worker_correct_nik": Row("worker", GET=CHANGE, POST=CHANGE_DONE, body=_nik_correction_body),
    "registry:worker_merge": Row("worker", GET=CHANGE, POST=CHANGE),
    "registry:poverty_refresh": Row(GET=CHANGE, POST=CHANGE_DONE),  # empty POST: "choose a file", back to the page
    # UU PDP (issue 11): the data-subject report is for the admin and the city officer (the NIK is POSTed; an empty
    # POST re-renders the form); withdrawing a worker's consent is a change (an empty POST: "reason required")
    "registry:subject_report": Row(GET=CITY_MANAGE, POST=CITY_MANAGE),
    "registry:worker_consent_withdraw": Row("worker", GET=CHANGE, POST=CHANGE),
    # registry: transfers (reading them is reading; requesting and deciding are changes)
    "registry:transfers": Row(GET=READ, POST=CHANGE),
    "registry:transfer_decide": Row("transfer", GET=READ, POST=CHANGE_DONE, body=_confirm_body),
    # registry: import
    "registry:import_start": Row(GET=CHANGE, POST=CHANGE),
    "registry:import_template": Row("template", GET=CHANGE),
    "registry:import_batch": Row("batch", GET=READ),
    "registry:import_batch_apply": Row("batch", GET=POST_ONLY, POST=CHANGE_DONE),
    "registry:import_batch_cancel": Row("batch", GET=CHANGE, POST=CHANGE_DONE),
    "registry:import_batch_errors": Row("batch", GET=READ),
    # interop (issue 13): OpenSID population in / programme file out, P3KE/DTSEN; the roles that change workers
    "interop:opensid": Row(GET=CHANGE, POST=CHANGE),  # empty POST: the form again with its errors
    "interop:opensid_import": Row("opensid_import", GET=CHANGE),
    "interop:opensid_apply": Row("opensid_import", GET=POST_ONLY, POST=CHANGE_DONE),
    "interop:opensid_cancel": Row("opensid_import", GET=POST_ONLY, POST=CHANGE_DONE),
    "interop:opensid_export": Row(GET=CHANGE_DONE),  # no village chosen: back to the page with a message
    "interop:review_close": Row("life_review", GET=POST_ONLY, POST=CHANGE_DONE),
    "interop:poverty": Row(GET=CHANGE, POST=CHANGE),
    "interop:proposals_confirm": Row(GET=POST_ONLY, POST=CHANGE_DONE),  # nothing chosen: back with a message
    # programmes: everyone reads the programmes over their area and the agreements (PKS) of their villages; the
    # city officer manages programmes and agreements of the city, the admin everything; rules are national (admin).
    "programmes:programmes": Row(GET=READ),
    "programmes:programme_new": Row(GET=CITY_MANAGE, POST=CITY_MANAGE),
    "programmes:programme_detail": Row("programme", GET=READ),
    "programmes:programme_rules_new": Row("programme", GET=POST_ONLY, POST=(302, 403, 403, 403, 403, 403, 403, 200)),
    "programmes:framework_new": Row("programme", GET=CITY_MANAGE, POST=CITY_MANAGE),
    "programmes:board": Row("programme", GET=READ),
    "programmes:board_export": Row("programme", GET=READ),
    "programmes:agreement_new": Row("programme", GET=CITY_MANAGE, POST=CITY_MANAGE),
    "programmes:agreements": Row(GET=READ, queries=("?q={village_name}",)),
    "programmes:agreement_detail": Row("agreement", GET=READ),
    "programmes:agreement_edit": Row("agreement", GET=CITY_MANAGE, POST=CITY_MANAGE),
    "programmes:agreement_transition": Row("transition", GET=CITY_MANAGE, POST=CITY_MANAGE_DONE),
    "programmes:agreement_document": Row("agreement", GET=READ),
    # targeting (recipient lists of a village): read by everyone in scope; prepared, overridden, submitted and
    # deliberated by the village (and the city officer, admin); read-only roles 403 on every change. Approving and
    # returning a version is the village head's decree: that rule sits behind the form, and an empty POST stops at
    # the form (a redirect with the form's error), so the matrix sees the same redirect for every changing role.
    "targeting:index": Row(GET=READ, POST=CHANGE),
    "targeting:list_detail": Row("list", GET=READ),
    "targeting:history": Row("list", GET=READ),
    "targeting:prepare": Row("list", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:override_add": Row("list", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:member_leave": Row("list", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:override_revoke": Row("override", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:version_detail": Row("version", GET=READ),
    "targeting:deliberation_record": Row("version", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:submit": Row("version", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:approve": Row("version", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:return": Row("version", GET=POST_ONLY, POST=CHANGE_DONE),
    "targeting:decree": Row("version", GET=READ),
    "targeting:minutes": Row("deliberation", GET=READ),
    # billing: everyone in scope reads a village's invoices and payments; the village, the city officer and the admin
    # record and reverse payments (an empty POST re-shows the form); read-only roles 403.
    "billing:warnings": Row(GET=READ),
    "billing:village": Row("region", GET=READ),
    "billing:payment_new": Row("region", GET=CHANGE, POST=CHANGE),
    "billing:payment_reverse": Row("payment", GET=CHANGE, POST=CHANGE),
    # billing documents (issue 5): invoices, receipts, invoice lists and BPJS statements are read by everyone in
    # scope; a statement is imported by the village roles, the BPJS officer, the city officer and the admin (an empty
    # POST re-shows the form); the village budget plan is changed by the village, the city officer and the admin.
    "billing:invoices": Row(GET=READ, queries=("?wilayah={village}",)),
    "billing:invoices_export": Row(GET=READ),
    "billing:invoice_detail": Row("invoice", GET=READ),
    "billing:invoice_pdf": Row("invoice", GET=READ),
    "billing:payment_detail": Row("payment", GET=READ),
    "billing:payment_receipt": Row("payment", GET=READ),
    "billing:statements": Row(GET=READ, POST=PLAN_CHANGE),
    "billing:statement_template": Row(GET=READ),
    "billing:statement_detail": Row("statement", GET=READ),
    "billing:statement_export": Row("statement", GET=READ),
    "billing:budget": Row("region", GET=READ, POST=CHANGE),
    # the billing-run page: everyone in scope reads the runs of their area; the village roles (their village), the
    # city officer and the admin start one (an empty POST re-shows the form); read-only roles 403.
    "billing:runs": Row(GET=READ, POST=CHANGE),
    # membership: collective registration files for the BPJS branch, read by everyone in scope; made (and the
    # branch's answer imported) by the village, the city officer and the admin; an empty POST re-shows the form.
    "membership:import": Row(GET=CHANGE, POST=CHANGE),  # memberships from before Lindung, with their payments
    "membership:registration_files": Row(GET=READ, POST=CHANGE),
    "membership:registration_file": Row("registration", GET=READ, POST=CHANGE),
    "membership:registration_file_download": Row("registration", GET=READ),
    # claims (issue 6): everyone in scope reads claims and plans; the village roles, the city officer and the admin
    # report, upload and compute again; the submission is approved by the head, the city officer or the admin (never
    # the maker); BPJS's decision and the payouts: BPJS officer, city officer, admin; yearly disbursements and
    # stopping a plan: the village roles and the BPJS/city roles. Empty POSTs re-show the form or redirect back.
    "claims:incident_new": Row("worker", GET=CHANGE, POST=CHANGE),
    "claims:claims": Row(GET=READ),
    "claims:claim_detail": Row("claim", GET=READ),
    "claims:claim_recompute": Row("claim", GET=POST_ONLY, POST=CHANGE_DONE),
    "claims:claim_document_upload": Row("claim", GET=POST_ONLY, POST=CHANGE_DONE),
    "claims:claim_document_download": Row("claim_document", GET=READ),
    "claims:claim_submit": Row("claim", GET=CLAIM_APPROVE, POST=CLAIM_APPROVE),
    "claims:claim_paid": Row("claim", GET=CLAIM_BPJS, POST=CLAIM_BPJS),
    "claims:claim_reject": Row("claim", GET=CLAIM_BPJS, POST=CLAIM_BPJS),
    "claims:claim_cause": Row("claim", GET=POST_ONLY, POST=(302, 403, 403, 302, 302, 403, 403, 302)),
    "claims:claim_payouts": Row("claim", GET=CLAIM_BPJS, POST=CLAIM_BPJS),
    "claims:plan_detail": Row("plan", GET=READ),
    "claims:plan_disburse": Row("plan", GET=POST_ONLY, POST=(302, 302, 302, 302, 302, 403, 403, 302)),
    "claims:plan_stop": Row("plan", GET=PLAN_CHANGE, POST=PLAN_CHANGE),
    "claims:disbursement_proof": Row("disbursement", GET=READ),
    "claims:liabilities": Row(GET=READ),
    "claims:reminders": Row(GET=READ),
    # training (see TRAIN_* above)
    "training:programmes": Row(GET=(302, 302, 302, 200, 200, 200, 200, 200), scope=OWN_PROGRAMMES),
    "training:programme_new": Row(GET=TRAIN_CREATE, POST=TRAIN_CREATE),
    "training:programme_detail": Row("training", GET=READ, scope=TRAINING_SCOPE),
    "training:candidates": Row("training", GET=READ, POST=TRAIN_CHANGE_DONE, scope=TRAINING_SCOPE),
    "training:session_new": Row("training", GET=POST_ONLY, POST=TRAIN_CHANGE_DONE, scope=TRAINING_SCOPE),
    "training:status_change": Row(
        "training", GET=POST_ONLY, POST=TRAIN_CHANGE_DONE, body=_status_body, scope=TRAINING_SCOPE
    ),
    "training:session_detail": Row("session", GET=READ, POST=TRAIN_CHANGE_DONE, scope=TRAINING_SCOPE),
    "training:enrolment_detail": Row("enrolment", GET=READ, scope=TRAINING_SCOPE),
    "training:outcome_new": Row("enrolment", GET=POST_ONLY, POST=TRAIN_CHANGE_DONE, scope=TRAINING_SCOPE),
    "training:certificate_edit": Row("enrolment", GET=POST_ONLY, POST=TRAIN_CHANGE_DONE, scope=TRAINING_SCOPE),
    "training:certificate_download": Row("enrolment", GET=READ, scope=TRAINING_SCOPE),
    "training:village_enrolments": Row(GET=LOGGED_IN, scope=OWN_PROGRAMMES),
    "training:skills_map": Row("wilayah", GET=READ, query=_skills_query),
    "training:skills_map_export": Row("wilayah", GET=READ, query=_skills_query),
    # The REST API (see API_* above). Several names share one path (list/create, detail/update): each name is tried
    # with its own method, the other method of the path with the other name.
    "api:v1:api-root": Row(GET=API_NOTHING_HERE),
    "api:not_found": Row("rest", GET=API_NOTHING_HERE, POST=API_NOTHING_HERE),
    # The docs page's static files (Swagger UI) are public like /static/; the API's description and its docs page
    # follow the API's rule (anonymous 401, the page a redirect) — see KNOWN_DISAGREEMENTS.
    "api:docs_asset": Row("asset", GET=PUBLIC),
    "api:v1:openapi-json": Row(GET=API_READ),
    "api:v1:openapi-view": Row(GET=(302, 200, 200, 200, 200, 200, 200, 200)),
    "api:v1:me": Row(GET=API_READ, POST=API_WRONG_METHOD),
    "api:v1:region_list": Row(GET=API_READ, queries=("?q={village_name}", "?parent=51.03.05", "?parent=52.01.01")),
    "api:v1:region_detail": Row("region", GET=API_READ),
    "api:v1:dashboard": Row("region", GET=API_READ),
    "api:v1:workers_list": Row(GET=API_READ, queries=("?q={name}", "?village={village}")),
    "api:v1:worker_create": Row(POST=API_CREATED, body=_api_worker_body, json=True),
    "api:v1:worker_detail": Row("worker", GET=API_READ, POST=API_WRONG_METHOD),
    "api:v1:worker_update": Row("worker", PATCH=API_CHANGED, body=_api_phone_body, json=True),
    "api:v1:worker_by_nik": Row("nik", GET=API_READ),
    "api:v1:import_list": Row(GET=API_READ),
    "api:v1:import_upload": Row(POST=API_ACCEPTED, body=_api_upload_body),
    "api:v1:import_detail": Row("batch_api", GET=API_READ),
    "api:v1:import_apply": Row("batch_api", GET=API_WRONG_METHOD, POST=API_ACCEPTED),
    "api:v1:import_cancel": Row("batch_api", GET=API_WRONG_METHOD, POST=API_CHANGED),
    "api:v1:programmes_list": Row(GET=API_READ),
    "api:v1:programme_detail": Row("programme", GET=API_READ),
    "api:v1:agreements_list": Row(GET=API_READ, queries=("?village={village}",)),
    "api:v1:agreement_detail": Row("agreement", GET=API_READ),
    "api:v1:claims_list": Row(GET=API_READ, queries=("?village={village}",)),
    "api:v1:claim_detail": Row("claim", GET=API_READ),
    # The claim's decisions through the API, on a claim already paid: the roles allowed to decide reach the claim's
    # state rule (409, nothing changes), the others 403 — the same roles as on the pages (CLAIM_APPROVE, CLAIM_BPJS).
    "api:v1:claim_submit_view": Row(
        "claim", POST=(401, 403, 409, 409, 403, 403, 403, 409), body=lambda w, t: {"on": "2026-03-20"}, json=True
    ),
    "api:v1:claim_reject_view": Row(
        "claim", POST=API_CLAIM_BPJS, body=lambda w, t: {"on": "2026-03-20", "reason": "uji"}, json=True
    ),
    "api:v1:claim_pay_view": Row(
        "claim", POST=API_CLAIM_BPJS, body=lambda w, t: {"on": "2026-03-20", "reference": "B-1", "amount": 0}, json=True
    ),
    "api:v1:memberships_list": Row(GET=API_READ, queries=("?village={village}",)),
    "api:v1:membership_detail": Row("membership", GET=API_READ),
    "api:v1:invoices_list": Row("region", GET=API_READ),
    "api:v1:invoice_detail": Row("invoice", GET=API_READ),
    "api:v1:payments_list": Row("region", GET=API_READ),
    "api:v1:payment_create": Row("region", POST=API_CREATED, body=_api_payment_body, json=True),
    "api:v1:payment_detail": Row("payment", GET=API_READ),
    "api:v1:payment_reverse_create": Row(
        "payment", GET=API_WRONG_METHOD, POST=API_CREATED, body=_api_reversal_body, json=True
    ),
    "api:v1:training_programmes_list": Row(GET=API_READ, scope=OWN_PROGRAMMES),
    "api:v1:training_programme_detail": Row("training_api", GET=API_READ, scope=TRAINING_SCOPE),
    "api:v1:enrolments_list": Row(GET=API_READ, queries=("?village={village}",), scope=OWN_PROGRAMMES),
    "api:v1:quote_benefits": Row(GET=API_WRONG_METHOD, POST=API_READ, body=_api_quote_body, json=True),
    # The API token page: every logged-in user makes and revokes their own tokens (an empty form is re-shown).
    "api:tokens": Row(GET=LOGGED_IN, POST=LOGGED_IN),
    "api:token_revoke": Row("token", GET=LOGGED_IN, POST=(302, 302, 302, 302, 302, 302, 302, 302), scope=OWN_ONLY),
}

#: (url name, method, role) → (what the application answers today for an object inside the scope, why).
#: None of these lets anyone see or change what the policy keeps from them (the no-change check still runs).
_READ_ONLY = ("bpjs_officer", "trainer", "province_viewer")
KNOWN_DISAGREEMENTS: dict[tuple[str, str, str], tuple[int, str]] = {
    **{
        (name, method, role): (200, "form shown to a read-only role; the service refuses the change")
        for name, method in itertools.product(("registry:worker_correct_nik", "registry:worker_merge"), ("GET",))
        for role in _READ_ONLY
    },
    **{
        ("registry:worker_correct_nik", "POST", role): (200, "service refuses; the form shows the error")
        for role in _READ_ONLY
    },
    **{
        ("registry:worker_merge", "POST", role): (200, "empty form re-rendered before any check") for role in _READ_ONLY
    },
    **{
        ("registry:worker_dependant_new", "POST", role): (302, "service refuses; redirect with an error message")
        for role in _READ_ONLY
    },
    **{
        ("registry:transfer_decide", "POST", role): (302, "service refuses; redirect with an error message")
        for role in _READ_ONLY
    },
    **{
        ("registry:import_template", "GET", role): (404, "import_template answers 404 rather than 403")
        for role in _READ_ONLY
    },
    **{
        (name, "GET", "anonymous"): (200, "the user guide is public documentation without personal data")
        for name in ("core:guide", "core:guide_page")
    },
    **{
        (name, "POST", role): (302, "empty form or service refusal: redirect with an error message, nothing changed")
        for name in (
            "targeting:prepare",
            "targeting:override_add",
            "targeting:member_leave",
            "targeting:override_revoke",
            "targeting:deliberation_record",
            "targeting:submit",
            "targeting:approve",
            "targeting:return",
        )
        for role in _READ_ONLY
    },
    **{
        (name, method, role): (404, "payments answer 404 rather than 403 to a role that may not change them")
        for name in ("billing:payment_new", "billing:payment_reverse")
        for method in ("GET", "POST")
        for role in _READ_ONLY
    },
    **{
        (name, "POST", role): (200, "an empty form is re-shown before any role check; nothing changes")
        for name in ("membership:registration_files", "membership:registration_file")
        for role in _READ_ONLY
    },
    **{
        ("membership:import", method, role): (404, "the membership import answers 404 rather than 403")
        for method in ("GET", "POST")
        for role in _READ_ONLY
    },
    # Import batches are visible only to their uploader (and national users), not to the village/city.
    **{
        (name, method, role): (404, "import batches are visible only to the uploader and national users")
        for name, method in (
            ("registry:import_batch", "GET"),
            ("registry:import_batch_errors", "GET"),
            ("registry:import_batch_cancel", "GET"),
            ("registry:import_batch_cancel", "POST"),
            ("registry:import_batch_apply", "POST"),
            ("api:v1:import_detail", "GET"),
            ("api:v1:import_apply", "POST"),
            ("api:v1:import_cancel", "POST"),
        )
        for role in ("village_head", "city_officer", *_READ_ONLY)
    },
    # Training programmes are shown to the admin, the city officer, the province viewer and their own trainers;
    # the BPJS officer sees none (the list is empty, every programme 404 like a missing one).
    **{
        (name, method, "bpjs_officer"): (404, "training programmes are not shown to the BPJS officer at all")
        for name, row in TABLE.items()
        if row.scope is TRAINING_SCOPE
        for method in METHODS
        if getattr(row, method) is not None and row.expected(method)[ROLES.index("bpjs_officer")] != 405
    },
    **{
        (name, "GET", "anonymous"): (200, "the API's description is public documentation without personal data")
        for name in ("api:v1:openapi-json", "api:v1:openapi-view")
    },
}


# --- POSTs that name an object outside the scope in their body ---------------------------------------------------
# (url name, kwargs for the in-scope Tegal Harum objects, body naming the outside tier). Whatever the role, the
# answer is not a 500 and nothing changes.


def _worker_body(world: World, tier: str) -> dict[str, Any]:
    return {
        "nik": VILLAGES[tier][0].replace(".", "")[:6] + "4508900777",
        "name": "Baru Luaruji",
        "sex": "P",
        "birth_date": "1990-08-05",
        "village": VILLAGES[tier][0],
        "employment_status": "informal",
    }


BODY_PROBES: list[tuple[str, Callable[[World], dict[str, Any]], Callable[[World, str], dict[str, Any]]]] = [
    # the REST API: a worker in an outside village (JSON)
    ("api:v1:worker_create", lambda w: {}, _worker_body),
    # training: a programme over an outside region; inviting an outside worker to Tegal Harum's programme;
    # a status change naming an outside tier's participant
    (
        "training:programme_new",
        lambda w: {},
        lambda w, t: {
            "organiser": "Dinas",
            "title": "Pelatihan Luaruji",
            "region": TRAININGS[t][0],
            "skill": "Menjahit",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
            "capacity": "10",
        },
    ),
    (
        "training:candidates",
        lambda w: {"programme_id": w.trainings["th"].pk},
        lambda w, t: {"worker": str(w.workers[t].pk), "confirmed": "1"},
    ),
    (
        "training:status_change",
        lambda w: {"programme_id": w.trainings["th"].pk},
        lambda w, t: {
            "to": "dropped",
            "enrolment": str(w.enrolments[t].pk),
            "confirmed": "1",
            "on": "2026-02-10",
            "reason": "pindah",
        },
    ),
    ("registry:worker_new", lambda w: {}, _worker_body),
    (
        "registry:transfers",
        lambda w: {},
        lambda w, t: {"nik": NIKS["th"], "to_village_code": VILLAGES[t][0], "note": "uji"},
    ),
    (
        "registry:worker_merge",
        lambda w: {"worker_id": w.workers["th"].pk},
        lambda w, t: {"other_nik": NIKS[t], "reason": "ganda", "confirmed": "1"},
    ),
    (
        "registry:worker_correct_nik",
        lambda w: {"worker_id": w.workers["th"].pk},
        lambda w, t: {"new_nik": NIKS[t], "reason": "salah ketik"},
    ),
    ("accounts:users_bulk", lambda w: {}, lambda w, t: {"village_codes": VILLAGES[t][0]}),
    (
        "accounts:user_new",
        lambda w: {},
        lambda w, t: {
            "username": "baru.luar",
            "full_name": "Baru Luar",
            "role": "village_operator",
            "region_codes": VILLAGES[t][0],
        },
    ),
]


# --- The URL conf ------------------------------------------------------------------------------------------------


def named_urls() -> tuple[dict[str, str], list[str]]:
    """Every named pattern of the URL conf as {namespaced name: route}, and the routes without a name."""
    named: dict[str, str] = {}
    unnamed: list[str] = []

    def walk(patterns: list, prefix: str, namespace: list[str]) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                # Django's admin has its own staff/permission system and no region scope; it is not part of
                # the product's pages and is tested by Django itself.
                if route == "admin/":
                    continue
                walk(pattern.url_patterns, route, [*namespace, pattern.namespace] if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern):
                # set_language only stores the chosen language in a cookie (it is open on purpose, so the login
                # page can switch language); it reads and writes no data.
                if route == "i18n/setlang/":
                    continue
                if pattern.name:
                    named[":".join([*namespace, pattern.name])] = route
                else:
                    unnamed.append(route)

    walk(get_resolver().url_patterns, "", [])
    return named, unnamed


def test_every_url_has_an_entry():
    named, unnamed = named_urls()
    problems = [f"URL {route!r} has no name, so the access matrix cannot cover it" for route in unnamed]
    problems += [
        f"URL {name!r} ({route}) has no entry in tests/test_access_matrix.py TABLE: decide who may use it"
        for name, route in sorted(named.items())
        if name not in TABLE
    ]
    problems += [f"TABLE entry {name!r} names no URL any more" for name in sorted(TABLE) if name not in named]
    problems += [
        f"KNOWN_DISAGREEMENTS entry {key} names no table entry/method"
        for key in KNOWN_DISAGREEMENTS
        if key[0] not in TABLE or getattr(TABLE[key[0]], key[1]) is None
    ]
    assert not problems, "\n".join(problems)


# --- The world ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    users: dict[str, User]
    workers: dict[str, Worker]
    batches: dict[str, ImportBatch]
    transfers: dict[str, WorkerTransfer]
    targets: dict[str, User]  # a village operator per tier, for the user-administration pages
    village_names: dict[str, str]
    programmes: dict[str, Programme]
    agreements: dict[str, Agreement]
    lists: dict[str, SelectionList]
    versions: dict[str, SelectionVersion]
    overrides: dict[str, Override]
    deliberations: dict[str, VillageDeliberation]
    payments: dict[str, Payment]
    registrations: dict[str, RegistrationFile]
    claims: dict[str, Any] = dataclasses.field(default_factory=dict)
    plans: dict[str, Any] = dataclasses.field(default_factory=dict)
    memberships: dict[str, Any] = dataclasses.field(default_factory=dict)
    invoices: dict[str, Invoice] = dataclasses.field(default_factory=dict)
    statements: dict[str, Any] = dataclasses.field(default_factory=dict)
    trainings: dict[str, TrainingProgramme] = dataclasses.field(default_factory=dict)
    sessions: dict[str, TrainingSession] = dataclasses.field(default_factory=dict)
    enrolments: dict[str, Enrolment] = dataclasses.field(default_factory=dict)
    api_tokens: dict[str, ApiToken] = dataclasses.field(default_factory=dict)  # by role, and by tier for the others
    opensid_imports: dict[str, Any] = dataclasses.field(default_factory=dict)
    life_reviews: dict[str, Any] = dataclasses.field(default_factory=dict)
    role: str = "anonymous"  # the role being tried (its own API token is the "th" token)

    def kwargs(self, obj: str | None, tier: str) -> dict[str, Any]:
        if obj is None:
            return {}
        missing = tier == "missing"
        if obj == "worker":
            return {"worker_id": MISSING_ID if missing else self.workers[tier].pk}
        if obj == "dependant":
            return {"worker_id": MISSING_ID if missing else self.workers[tier].pk, "kind": "anak"}
        if obj == "batch":
            return {"batch_id": MISSING_ID if missing else self.batches[tier].pk}
        if obj == "transfer":
            return {"transfer_id": MISSING_ID if missing else self.transfers[tier].pk}
        if obj == "region":
            return {"code": MISSING_CODE if missing else VILLAGES[tier][0]}
        if obj == "user":
            return {"user_id": MISSING_ID if missing else self.targets[tier].pk}
        if obj == "template":
            return {"file_format": "xlsx"}
        if obj == "guide":
            return {"path": "mulai/index.html"}
        if obj == "programme":
            return {"programme_id": MISSING_ID if missing else self.programmes[tier].pk}
        if obj == "agreement":
            return {"agreement_id": MISSING_ID if missing else self.agreements[tier].pk}
        if obj == "list":
            return {"list_id": MISSING_ID if missing else self.lists[tier].pk}
        if obj == "version":
            return {"version_id": MISSING_ID if missing else self.versions[tier].pk}
        if obj == "override":
            return {"override_id": MISSING_ID if missing else self.overrides[tier].pk}
        if obj == "deliberation":
            return {"deliberation_id": MISSING_ID if missing else self.deliberations[tier].pk}
        if obj == "payment":
            return {"payment_id": MISSING_ID if missing else self.payments[tier].pk}
        if obj == "registration":
            return {"file_id": MISSING_ID if missing else self.registrations[tier].pk}
        if obj == "claim":
            return {"claim_id": MISSING_ID if missing else self.claims[tier].pk}
        if obj == "claim_document":
            claim = self.claims.get(tier)
            return {
                "claim_id": MISSING_ID if missing else claim.pk,
                "document_id": MISSING_ID if missing else claim.documents.get().pk,
            }
        if obj == "plan":
            return {"plan_id": MISSING_ID if missing else self.plans[tier].pk}
        if obj == "disbursement":
            plan = self.plans.get(tier)
            return {
                "plan_id": MISSING_ID if missing else plan.pk,
                "disbursement_id": MISSING_ID if missing else plan.disbursements.get().pk,
            }
        if obj == "training":
            return {"programme_id": MISSING_ID if missing else self.trainings[tier].pk}
        if obj == "session":
            return {"session_id": MISSING_ID if missing else self.sessions[tier].pk}
        if obj == "enrolment":
            return {"enrolment_id": MISSING_ID if missing else self.enrolments[tier].pk}
        if obj == "training_api":
            return {"training_programme_id": MISSING_ID if missing else self.trainings[tier].pk}
        if obj == "membership":
            return {"membership_id": MISSING_ID if missing else self.memberships[tier].pk}
        if obj == "opensid_import":
            return {"import_id": MISSING_ID if missing else self.opensid_imports[tier].pk}
        if obj == "life_review":
            return {"review_id": MISSING_ID if missing else self.life_reviews[tier].pk}
        if obj == "invoice":
            return {"invoice_id": MISSING_ID if missing else self.invoices[tier].pk}
        if obj == "statement":
            return {"statement_id": MISSING_ID if missing else self.statements[tier].pk}
        if obj == "wilayah":
            return {}  # in the query string (Row.query)
        if obj == "batch_api":
            return {"import_id": MISSING_ID if missing else self.batches[tier].pk}
        if obj == "nik":
            return {"nik": MISSING_NIK if missing else NIKS[tier]}
        if obj == "asset":
            return {"name": "swagger-ui.css"}
        if obj == "rest":
            return {"rest": "tidak-ada"}
        if obj == "token":
            if missing:
                return {"token_id": MISSING_ID}
            owner = self.role if tier == "th" and self.role != "anonymous" else tier
            return {"token_id": self.api_tokens[owner].pk}
        if obj == "transition":
            return {"agreement_id": MISSING_ID if missing else self.agreements[tier].pk, "to_status": "in_discussion"}
        raise AssertionError(f"unknown object kind {obj}")

    def tokens(self, tier: str) -> list[str]:
        """Text that must not appear on a page for a role that may not see `tier`."""
        return [
            NAMES[tier], NIKS[tier], self.village_names[tier], self.targets[tier].username, PROGRAMMES[tier][1],
            TRAININGS[tier][1],
        ]  # fmt: skip


@pytest.fixture
def world(bali, make_user, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Eleven users: the production hasher (Argon2) would spend most of the setup hashing their passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    regions_load(prefix="52.01.01")  # one district of NTB, outside Bali
    users = {
        "village_operator": make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM),
        "village_head": make_user("kades.tegalharum", Role.VILLAGE_HEAD, TEGAL_HARUM),
        "city_officer": make_user("dinas.denpasar", Role.CITY_OFFICER, DENPASAR),
        "bpjs_officer": make_user("bpjs.denpasar", Role.BPJS_OFFICER, DENPASAR),
        "trainer": make_user("pelatih.denpasar", Role.TRAINER, DENPASAR),
        "province_viewer": make_user("pemprov.bali", Role.PROVINCE_VIEWER, "51"),
        "admin": make_user("admin.pusat", Role.ADMIN, national=True),
    }
    targets = {tier: make_user(f"sasaran.{tier}", Role.VILLAGE_OPERATOR, VILLAGES[tier][0]) for tier in TIERS}
    workers, batches, transfers = {}, {}, {}
    for tier in TIERS:
        village, elsewhere = VILLAGES[tier]
        workers[tier] = Worker.objects.create(
            nik=NIKS[tier], name=NAMES[tier], sex="P", birth_date="1990-08-05", village_id=village
        )
        errors = tmp_path / f"errors-{tier}.xlsx"
        errors.write_bytes(b"PK-not-really-a-workbook")
        stored = tmp_path / f"upload-{tier}.xlsx"
        stored.write_bytes(b"PK-not-really-a-workbook")
        uploader = users["village_operator"] if tier == "th" else targets[tier]
        batches[tier] = ImportBatch.objects.create(
            created_by=uploader,
            village_id=village,
            original_name=f"pekerja-{tier}.xlsx",
            stored_path=str(stored),
            file_format="xlsx",
            status=ImportBatch.Status.VALIDATED,
            errors_path=str(errors),
            valid_path="",
        )
        transfers[tier] = WorkerTransfer.objects.create(
            worker=workers[tier], from_village_id=village, to_village_id=elsewhere, requested_by=uploader
        )
    guide = tmp_path / "guide"
    (guide / "mulai").mkdir(parents=True)
    (guide / "index.html").write_text("<h1>Panduan</h1>")
    (guide / "mulai" / "index.html").write_text("<h1>Mulai</h1>")
    settings.LINDUNG_GUIDE_DIR = guide
    programmes, agreements = {}, {}
    for tier in TIERS:
        region, title = PROGRAMMES[tier]
        programmes[tier] = programme_create(
            acting_user=None, name=title, region=Region.objects.get(code=region), starts_on=date(2025, 1, 1)
        )
        document = Path(settings.MEDIA_ROOT) / "programmes" / "agreements" / f"pks-{tier}.pdf"
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_bytes(b"%PDF-1.4 uji")
        agreements[tier] = Agreement.objects.create(
            programme=programmes[tier], village_id=VILLAGES[tier][0], document=f"programmes/agreements/pks-{tier}.pdf"
        )
    lists, versions, overrides, deliberations = {}, {}, {}, {}
    for tier in TIERS:
        uploader = users["village_operator"] if tier == "th" else targets[tier]
        lists[tier] = SelectionList.objects.create(
            village_id=VILLAGES[tier][0], programme=programmes[tier], budget_year=2026, created_by=uploader
        )
        versions[tier] = SelectionVersion.objects.create(
            selection_list=lists[tier],
            number=1,
            status=SelectionVersion.Status.APPROVED,
            reference_date=date(2026, 1, 1),
            quota=100,
            quota_source="programme",
            selected_count=1,
            prepared_by=uploader,
            approved_by=uploader,
            decree_number=f"1/{tier}/2026",
            decree_date=date(2026, 1, 2),
        )
        SelectionEntry.objects.create(
            version=versions[tier], worker=workers[tier], status="selected", rank=1, position=1,
            name=NAMES[tier], nik=NIKS[tier],
        )  # fmt: skip
        overrides[tier] = Override.objects.create(
            selection_list=lists[tier], worker=workers[tier], kind="force_in", reason="uji", created_by=uploader
        )
        minutes = Path(settings.MEDIA_ROOT) / "targeting" / "minutes" / f"berita-acara-{tier}.pdf"
        minutes.parent.mkdir(parents=True, exist_ok=True)
        minutes.write_bytes(b"%PDF-1.4 uji")
        deliberations[tier] = VillageDeliberation.objects.create(
            version=versions[tier], held_on=date(2026, 1, 1), attendees=20,
            minutes=f"targeting/minutes/berita-acara-{tier}.pdf", recorded_by=uploader,
        )  # fmt: skip
    payments = {
        tier: Payment.objects.create(
            programme=programmes[tier],
            village_id=VILLAGES[tier][0],
            value_date=date(2026, 1, 15),
            amount=1_680_000,
            reference=f"TRF-{tier}",
            budget_source=Payment.BudgetSource.DANA_DESA,
            recorded_by=targets[tier],
        )
        for tier in TIERS
    }
    registrations = {
        tier: RegistrationFile.objects.create(
            programme=programmes[tier], region_code=VILLAGES[tier][0], created_by=targets[tier]
        )
        for tier in TIERS
    }
    names = dict(Region.objects.filter(code__in=[VILLAGES[t][0] for t in TIERS]).values_list("code", "name"))
    village_names = {t: names[VILLAGES[t][0]] for t in TIERS}
    world = World(
        users, workers, batches, transfers, targets, village_names, programmes, agreements,
        lists, versions, overrides, deliberations, payments, registrations,
    )  # fmt: skip
    _claims_world(world, settings)
    _training_world(world, settings, make_user)
    for tier in TIERS:
        world.invoices[tier] = Invoice.objects.create(
            programme=world.programmes[tier], village_id=VILLAGES[tier][0], funder="apbdes", period=date(2026, 1, 1),
            total=1_680_000,
        )  # fmt: skip
        _statement_world(world, tier)
    _interop_world(world, tmp_path)
    for owner, user in [*users.items(), *targets.items()]:
        world.api_tokens[owner] = ApiToken.objects.create(
            user=user, name=f"token {owner}", prefix=f"ldg_{owner}"[:12], secret_hash=f"uji-{owner}",
            expires_at=timezone.now() + timedelta(days=30),
        )  # fmt: skip
    return world


def _interop_world(world: World, tmp_path: Path) -> None:
    """Per tier: an OpenSID import waiting for its decision (nothing in its plan) and an open life-event review."""
    from lindung.interop.models import LifeEventReview, OpensidImport

    for tier in TIERS:
        village = VILLAGES[tier][0]
        world.opensid_imports[tier] = OpensidImport.objects.create(
            village_id=village, created_by=world.targets[tier], original_name=f"penduduk-{tier}.xlsx",
            stored_path=str(tmp_path / f"penduduk-{tier}.xlsx"), file_sha256="0" * 64, reference_date=date(2026, 1, 1),
            plan={"children": [], "skipped": [], "deaths": []}, summary={"rows": 0},
        )  # fmt: skip
        world.life_reviews[tier] = LifeEventReview.objects.create(
            worker=world.workers[tier], village_id=village, kind=LifeEventReview.Kind.DEATH
        )


def _statement_world(world: World, tier: str) -> None:
    """A BPJS statement of the tier's village whose difference names the tier's worker (the leak check looks)."""
    from lindung.billing.models import StatementDifference, StatementImport

    statement = StatementImport.objects.create(
        period=date(2026, 1, 1), region_code=VILLAGES[tier][0], layout="member", content_hash=f"uji-{tier}",
        rows=1, bpjs_total=16_800, created_by=world.targets[tier],
    )  # fmt: skip
    StatementDifference.objects.create(
        statement=statement, kind="not_recorded", row=2, name=NAMES[tier], kpj=f"KPJ{tier}", bpjs_amount=16_800
    )
    world.statements[tier] = statement


def _training_world(world: World, settings, make_user) -> None:
    trainers = {"trainer": world.users["trainer"], "other_trainer": make_user("pelatih.lain", Role.TRAINER, DENPASAR)}
    folder = Path(settings.MEDIA_ROOT) / "training" / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    for tier in TIERS:
        region, title, trainer = TRAININGS[tier]
        programme = TrainingProgramme.objects.create(
            organiser="Dinas Tenaga Kerja", title=title, region_id=region, skill="Menjahit", skill_key="menjahit",
            starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 28), capacity=20,
        )  # fmt: skip
        if trainer is not None:
            programme.trainers.add(trainers[trainer])
        world.trainings[tier] = programme
        world.sessions[tier] = TrainingSession.objects.create(programme=programme, date=date(2026, 2, 2), topic="Pola")
        (folder / f"sertifikat-{tier}.pdf").write_bytes(b"%PDF-1.4 uji")
        world.enrolments[tier] = Enrolment.objects.create(
            programme=programme, worker=world.workers[tier], status=Enrolment.Status.COMPLETED,
            invited_on=date(2026, 1, 20), enrolled_on=date(2026, 2, 1), completed_on=date(2026, 2, 28),
            certificate_number=f"SERT-{tier}", certificate=f"training/certificates/sertifikat-{tier}.pdf",
        )  # fmt: skip


def _claims_world(world, settings):
    from lindung.claims.models import (
        Claim,
        ClaimDocument,
        Incident,
        PlannedYear,
        ScholarshipDisbursement,
        ScholarshipPlan,
    )
    from lindung.membership.models import Membership
    from lindung.registry.models import Child

    for tier in TIERS:
        worker = world.workers[tier]
        membership = Membership.objects.create(
            programme=world.programmes[tier],
            worker=worker,
            starts_on=date(2025, 1, 1),
            declared_income=1_000_000,
            status="ended",
            end_reason="death",
            ended_on=date(2026, 3, 10),
            paid_through=date(2026, 3, 1),
        )
        incident = Incident.objects.create(
            worker=worker,
            membership=membership,
            village_id=VILLAGES[tier][0],
            date=date(2026, 3, 10),
            type="death",
            place="Rumah",
            description="Sakit",
            reporter_name="Keluarga",
            reporter_role="family",
            reported_by=world.targets[tier],
        )
        claim = Claim.objects.create(incident=incident, status="paid", parameters_on=incident.date)
        Path(settings.MEDIA_ROOT, "claims").mkdir(parents=True, exist_ok=True)
        Path(settings.MEDIA_ROOT, "claims", f"kk-{tier}.pdf").write_bytes(b"%PDF-1.4 uji")
        ClaimDocument.objects.create(
            claim=claim,
            kind="family_card",
            file=f"claims/kk-{tier}.pdf",
            original_name="kk.pdf",
            size=12,
            sha256="0" * 64,
            uploaded_by=world.targets[tier],
        )
        child = Child.objects.create(
            worker=worker, name="Anak Uji", birth_date=date(2015, 1, 1), school_level="SD", grade=5
        )
        plan = ScholarshipPlan.objects.create(claim=claim, child=child, child_name="Anak Uji")
        PlannedYear.objects.create(plan=plan, school_year=2025, level="SD", grade=5, amount=1_500_000)
        PlannedYear.objects.create(plan=plan, school_year=2026, level="SD", grade=6, amount=1_500_000)
        Path(settings.MEDIA_ROOT, "claims", f"bukti-{tier}.pdf").write_bytes(b"%PDF-1.4 uji")
        ScholarshipDisbursement.objects.create(
            plan=plan,
            school_year=2025,
            amount=1_500_000,
            proof=f"claims/bukti-{tier}.pdf",
            proof_name="bukti.pdf",
            paid_on=date(2026, 4, 1),
            recorded_by=world.targets[tier],
        )
        world.claims[tier] = claim
        world.memberships[tier] = membership
        world.plans[tier] = plan


# --- Requests and checks ------------------------------------------------------------------------------------------


def _watched_tables() -> list[tuple[str, str]]:
    """Every table a view could change: Lindung's own (regions aside: no page writes them) and the task queue.

    As (label, SQL) pairs: plain SQL keeps a full snapshot of ~40 small tables cheap enough to take around every
    refused POST.
    """
    tables = set(connection.introspection.table_names())  # an app still without its migration has no table yet
    quote = connection.ops.quote_name
    return [
        (model._meta.label, f"SELECT * FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}")  # noqa: S608
        for model in apps.get_models()
        if (model._meta.app_config.name.startswith("lindung.") or model._meta.app_label == "django_tasks_db")
        and model is not Region
        and model._meta.db_table in tables
    ]


def _snapshot(watched: list[tuple[str, str]]) -> dict[str, list]:
    state = {}
    with connection.cursor() as cursor:
        for label, sql in watched:
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def _changed(watched: list[tuple[str, str]], before: dict[str, list]) -> list[str]:
    after = _snapshot(watched)
    return [label for label in before if before[label] != after[label]]


@dataclasses.dataclass
class Answer:
    status: int
    location: str
    text: str
    content_type: str = ""


def _request(client: Client, method: str, url: str, data: dict[str, Any] | None, as_json: bool = False) -> Answer:
    """One request inside a savepoint that is rolled back afterwards."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif as_json:
            response = client.generic(method, url, json.dumps(data or {}), content_type="application/json")
        else:
            response = client.post(url, data or {})
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[arg-type]
        # No response.close() here: it would fire request_finished, whose close_old_connections closes the
        # PostgreSQL connection inside the test's transaction. The test client closes streamed responses itself
        # once their content has been read, with that handler disconnected.
        transaction.set_rollback(True)
    content_type = response.get("Content-Type", "")
    readable = content_type.startswith(("text/", "application/json"))
    text = body.decode("utf-8", "replace") if readable else ""
    return Answer(response.status_code, response.get("Location", ""), text, content_type)


def _is_api(name: str) -> bool:
    return name.startswith("api:v1:") or name == "api:not_found"


def _envelope_problem(answer: Answer) -> str | None:
    """The REST API answers every error with `{"error": {"code", "message", ...}}` in JSON."""
    if answer.status < 400:
        return None
    if not answer.content_type.startswith("application/json"):
        return f"an error without the JSON envelope ({answer.content_type or 'no content type'})"
    error = json.loads(answer.text).get("error")
    if not isinstance(error, dict) or "code" not in error or "message" not in error:
        return f"an error outside the envelope: {answer.text[:200]}"
    return None


def _without_echo(text: str, query: str) -> str:
    """The page minus the search term it shows back (in the search box and in its own links)."""
    key, value = query.split("=", 1)
    value = unquote_plus(value)
    for echo in (f'value="{escape(value)}"', urlencode({key: value}), f"{key}={quote(value)}"):
        text = text.replace(echo, "")
    return text


def _allowed(role: str, name: str, method: str, tier: str) -> tuple[set[int], str | None]:
    """The statuses accepted for `role` on `tier` (or "missing"), and the note of a known disagreement."""
    row = TABLE[name]
    policy = row.expected(method)[ROLES.index(role)]
    if role == "anonymous" or row.obj in UNSCOPED or tier in row.tiers_of(role):
        known = KNOWN_DISAGREEMENTS.get((name, method, role))
        if known is not None:
            return {known[0]}, f"known disagreement (policy {policy}): {known[1]}"
        return {policy}, None
    # Outside the scope (or missing): 404, or an answer that does not depend on the object at all.
    return ({404, policy} if policy in (403, 405) else {404}), None


def _login(client: Client, world: World, role: str) -> None:
    if role != "anonymous":
        client.force_login(world.users[role])


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role: str, world: World):
    client = Client(raise_request_exception=False)
    _login(client, world, role)
    world.role = role
    login_url = reverse("accounts:login")
    outside = [t for t in TIERS if t not in SCOPE[role]]
    failures: list[str] = []
    checked = 0
    watched = _watched_tables()

    for name, row in TABLE.items():
        tiers = ["th"] if row.obj in UNSCOPED else [*TIERS, "missing"]
        if role == "anonymous" and row.obj not in UNSCOPED:
            tiers = ["th", "missing"]
        reachable = row.tiers_of(role)
        # Tiers inside the role's region but out of this URL's reach (another trainer's programme): they must look
        # missing too, and their programme's title must not show.
        hidden = [t for t in TIERS if t not in reachable and t not in outside] if row.scope is not None else []
        for method in METHODS:
            if getattr(row, method) is None:
                continue
            by_tier: dict[str, int] = {}
            for tier in tiers:
                url = reverse(name, kwargs=world.kwargs(row.obj, tier)) + (row.query(world, tier) if row.query else "")
                body = row.body(world, tier) if (row.body and method != "GET") else None
                accepted, note = _allowed(role, name, method, tier)
                policy = row.expected(method)[ROLES.index(role)]
                must_not_change = method != "GET" and (
                    policy not in (200, 201, 202, 302) or role == "anonymous" or tier not in reachable
                )
                before = _snapshot(watched) if must_not_change else None
                answer = _request(client, method, url, body, row.json)
                checked += 1
                by_tier[tier] = answer.status
                where = f"{method} {url} ({name}) as {role} on {TIER_LABEL[tier]}"
                if answer.status not in accepted:
                    failures.append(f"{where}: expected {sorted(accepted)}, got {answer.status}")
                elif note is not None and answer.status == policy:
                    failures.append(f"{where}: now follows the policy ({policy}); remove it from KNOWN_DISAGREEMENTS")
                if answer.status == 302 and role == "anonymous" and not answer.location.startswith(login_url):
                    failures.append(f"{where}: redirected to {answer.location}, not to the login page")
                problem = _envelope_problem(answer) if _is_api(name) else None
                if problem is not None:
                    failures.append(f"{where}: {problem}")
                if before is not None:
                    changed = _changed(watched, before)
                    if changed:
                        failures.append(f"{where}: a refused POST changed {', '.join(changed)}")
                lowered = answer.text.lower()
                for other in outside:  # 403 and 404 pages included
                    leaked = [token for token in world.tokens(other) if token.lower() in lowered]
                    if leaked:
                        failures.append(f"{where}: shows {leaked} of {TIER_LABEL[other]} (outside the scope)")
                failures.extend(
                    f"{where}: shows the programme {TRAININGS[other][1]} (out of reach)"
                    for other in hidden
                    if TRAININGS[other][1].lower() in lowered
                )
                if name == "accounts:logout" and method == "POST":
                    _login(client, world, role)
            # Outside the scope must look exactly like missing.
            failures.extend(
                f"{method} {name} as {role}: {TIER_LABEL[tier]} answers {by_tier[tier]} but a missing "
                f"object answers {by_tier['missing']} (distinguishable)"
                for tier in [*outside, *hidden]
                if tier in by_tier and "missing" in by_tier and by_tier[tier] != by_tier["missing"]
            )
            # List pages asked directly for something outside the scope.
            if method == "GET" and row.queries and row.expected("GET")[ROLES.index(role)] == 200:
                for other, query in itertools.product(outside, row.queries):
                    url = reverse(name) + query.format(
                        nik=NIKS[other],
                        name=NAMES[other],
                        village=VILLAGES[other][0],
                        village_name=world.village_names[other],
                        username=world.targets[other].username,
                    )
                    answer = _request(client, "GET", url, None)
                    checked += 1
                    text = _without_echo(answer.text, url.split("?", 1)[1])
                    leaked = [token for token in world.tokens(other) if token.lower() in text.lower()]
                    if answer.status != 200 or leaked:
                        failures.append(f"GET {url} as {role}: status {answer.status}, shows {leaked or 'nothing'}")

    # POST bodies that point outside the scope: never a 500, never a change.
    if role != "anonymous":
        for (name, kwargs_for, body_for), other in itertools.product(BODY_PROBES, outside):
            url = reverse(name, kwargs=kwargs_for(world))
            before = _snapshot(watched)
            answer = _request(client, "POST", url, body_for(world, other), TABLE[name].json)
            checked += 1
            changed = _changed(watched, before)
            if answer.status >= 500 or changed:
                failures.append(
                    f"POST {url} ({name}) as {role} naming {TIER_LABEL[other]} in the body: "
                    f"status {answer.status}, changed {changed or 'nothing'}"
                )

    assert checked > 0
    assert not failures, f"{len(failures)} access-matrix failures for {role}:\n" + "\n".join(failures)
