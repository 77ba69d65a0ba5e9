"""What the portal's report pages read and write: the section's home (built-in industries and the
scopes the user may see), an industry dashboard (indicators, branches, the user's alerts in that
scope), applicant-name suggestions from the index's applicant facet, and subscriptions whose
watched competitors must be names the index knows.

Pages call these functions only; they check visibility and permission, audit and commit like the
rest of ``analytics.service``."""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import alerts, scopes
from analytics import service as analytics
from analytics.alerts import SubscriptionIn
from analytics.indicators import Basis, CountingUnit, IndicatorParams, Indicators, compute, printed_names
from analytics.industries import INDUSTRIES, REGION_PREFIX, Branch, Industry, region_scope
from analytics.models import Alert, Subscription
from analytics.periods import latest_publication
from analytics.reports import service as reports
from analytics.reports.content import BranchRow, branch_rows
from analytics.rules import ForeignGrowth, ProductKeywords, RulesConfig, Standing, standings
from analytics.schemas import AlertOut, ReportOut, SubscriptionOut
from core.accounts.models import Membership, User
from core.accounts.schemas import OrgOut
from core.accounts.service import organisations_of
from core.audit import Writer
from core.countries import CountryCode
from core.errors import InvalidInput, NotFound, Refused
from core.i18n import Language, Listed, shown_today
from core.ids import INTEGER_MAX, parse_id
from ipsearch.names import harmonise_name
from ipsearch.query.ast import any_keyword
from ipsearch.service import SearchService

SUGGESTIONS = 10
FACET_SIZE = 5000  # applicant names read from the facet when looking for matches
DASHBOARD_ALERTS = 20


class DashboardFilters(BaseModel):
    """The dashboard's filters, as the page's form sends them."""

    from_year: int | None = Field(default=None, ge=1800, le=2200)
    to_year: int | None = Field(default=None, ge=1800, le=2200)
    basis: Basis = Basis.filing
    home_country: CountryCode = "CN"
    counting: CountingUnit = CountingUnit.family

    def query(self) -> dict[str, str]:
        """The filters as the page's address carries them, those left as they are omitted (what was
        applied, not what was typed: a refused period is not passed on)."""
        default = DashboardFilters()
        values = {"from": self.from_year, "to": self.to_year,
                  "basis": self.basis.value if self.basis != default.basis else None,
                  "home": self.home_country if self.home_country != default.home_country else None,
                  "counting": self.counting.value if self.counting != default.counting else None}
        return {k: str(v) for k, v in values.items() if v is not None}

    def params(self, cutoff: dt.date | None = None) -> IndicatorParams:
        """The indicator parameters; a period whose first year is after its last is InvalidInput."""
        return IndicatorParams.checked(basis=self.basis, cutoff=cutoff or shown_today(), from_year=self.from_year,
                                       to_year=self.to_year, home_country=self.home_country, counting=self.counting)


class Dashboard(BaseModel):
    scope: Industry
    custom: bool = Field(description="a user-defined scope, not a built-in industry")
    filters: DashboardFilters
    indicators: Indicators
    branches: list[BranchRow]
    alerts: list[AlertOut] = Field(description="the viewer's alerts in this scope, newest first")
    subscribed: bool = Field(description="the viewer subscribes to this scope")


class Suggestion(BaseModel):
    key: str = Field(description="the harmonised name the rules watch")
    name: str = Field(description="the name as printed on the applicant's documents")
    documents: int


class Home(BaseModel):
    industries: list[Industry]
    mine: list[Industry] = Field(description="custom scopes the user may see: theirs, their organisations', "
                                             "published ones")
    subscribed: list[str] = Field(description="scope keys the user subscribes to")
    organisations: list[OrgOut] = Field(description="the user's organisations, to share a scope with")
    regions: list[Industry] = Field(default_factory=list, description="region scopes the user subscribes to, and "
                                                                      "the one a region's page asks for")


def home(session: Session, user: User | None, wanted: str = "") -> Home:
    """The scopes a reader chooses from. Of the 367 regions, only those subscribed to and ``wanted``
    (a region's page links here with its own): the form had chosen an industry in its place."""
    subscribed = sorted({s.scope for s in analytics.subscriptions_of(session, user)}) if user else []
    places = [found for key in dict.fromkeys([wanted, *subscribed])
              if key.startswith(REGION_PREFIX) and (found := region_scope(key)) is not None]
    return Home(industries=list(INDUSTRIES.values()), mine=scopes.custom_scopes(session, user),
                subscribed=subscribed, organisations=organisations_of(session, user) if user else [],
                regions=sorted(places, key=lambda r: r.key))


def dashboard(session: Session, search: SearchService, user: User | None, key: str, filters: DashboardFilters,
              lang: Language) -> Dashboard:
    """A scope's indicators and branches under ``filters``; a custom scope only for those who may see it."""
    industry = scopes.resolve_for(session, key, user)
    params = filters.params()
    ind = compute(search, industry.query, params)
    branches = branch_rows(search, industry, params, lang, (ind.growth.recent_years, ind.growth.earlier_years))
    alerts = scope_alerts(session, user, key) if user else []
    subscribed = user is not None and session.scalar(
        select(Subscription.id).where(Subscription.user_id == user.id, Subscription.scope == key).limit(1)) is not None
    return Dashboard(scope=industry, custom=scopes.is_custom(key), filters=filters, indicators=ind,
                     branches=branches, alerts=alerts, subscribed=subscribed)


def scope_alerts(session: Session, user: User, key: str) -> list[AlertOut]:
    """The alerts of the user's (and their organisations') subscriptions to ``key``, newest first."""
    orgs = select(Membership.org_id).where(Membership.user_id == user.id)
    subs = select(Subscription.id).where(Subscription.scope == key,
                                         (Subscription.user_id == user.id) | Subscription.org_id.in_(orgs))
    rows = session.scalars(select(Alert).where(Alert.subscription_id.in_(subs)).order_by(Alert.id.desc())
                           .limit(DASHBOARD_ALERTS))
    return [AlertOut.model_validate(a) for a in rows]


def suggest(session: Session, search: SearchService, user: User | None, key: str, typed: str,
            limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Applicants of the scope whose harmonised name contains what was typed (harmonised too),
    most documents first, with their names as printed."""
    wanted = harmonise_name(typed)
    if not wanted:
        return []
    industry = scopes.resolve_for(session, key, user)
    node, planner = search.plan(industry.query)
    facet = search.backend.top_values(node, planner, "owner_keys", FACET_SIZE)
    found = [(k, n) for k, n in facet.items() if wanted in k]
    found.sort(key=lambda kv: (not kv[0].startswith(wanted), -kv[1], kv[0]))
    names = printed_names(search, node, planner, [k for k, _ in found[:limit]])
    return [Suggestion(key=k, name=names.get(k, k), documents=n) for k, n in found[:limit]]


def unknown_names(search: SearchService, names: list[str]) -> list[str]:
    """The names (as typed) that no document's applicant or owner has, once harmonised."""
    keys = {name: harmonise_name(name) for name in names}
    known = search.backend.top_values(None, None, "owner_keys", len(keys),
                                      include=sorted({k for k in keys.values() if k}))
    return [name for name, key in keys.items() if not key or key not in known]


class SubscriptionForm(BaseModel):
    """The subscription form as typed, every box a string: ``subscribe`` reads it whole, so that one
    answer names every problem of one submit (a keyword too long hid an unknown competitor)."""

    scope: str = ""
    org: str = ""
    watched: str = Field(default="", description="one name per line: names have commas")
    keywords: str = Field(default="", description="one per line, or separated by commas of either kind")
    yellow_pct: str = ""
    red_pct: str = ""
    min_keywords: str = ""
    red_keywords: str = ""
    lang: str = "en"
    monthly_report: bool = False

    def names(self) -> list[str]:
        return [n.strip() for n in self.watched.splitlines() if n.strip()]

    def keyword_list(self) -> list[str]:
        return [w.strip() for chunk in self.keywords.splitlines() for w in chunk.replace("，", ",").split(",")
                if w.strip()]

    def rules(self, problems: list[Exception]) -> RulesConfig:
        """The thresholds typed (a box left empty: the default); each that is not a number is added
        to ``problems`` and left at its default."""
        values: dict[str, float] = {}
        for name in THRESHOLDS:
            text = str(getattr(self, name)).strip()
            try:
                number = float(text) if text else None
            except ValueError:
                number = math.nan
            if number is not None and (not math.isfinite(number) or abs(number) > INTEGER_MAX):
                # "lots", "1e999", "nan": int() of the last two is a 500
                problems.append(InvalidInput.said("the thresholds are numbers").about(name))
            elif number is not None and number <= 0:  # refused here, with the form's other problems
                problems.append(InvalidInput.said("a threshold is above 0").about(name))
            elif number is not None and name in WHOLE_THRESHOLDS and not number.is_integer():
                problems.append(InvalidInput.said("a number of keywords is a whole number").about(name))
            elif number is not None:
                values[name] = number
        fg, pk = ForeignGrowth(), ProductKeywords()
        return RulesConfig(foreign_growth=ForeignGrowth(yellow_pct=values.get("yellow_pct", fg.yellow_pct),
                                                        red_pct=values.get("red_pct", fg.red_pct)),
                           product_keywords=ProductKeywords(
                               min_keywords=int(values.get("min_keywords", pk.min_keywords)),
                               red_keywords=int(values.get("red_keywords", pk.red_keywords))))


THRESHOLDS = ("yellow_pct", "red_pct", "min_keywords", "red_keywords")
WHOLE_THRESHOLDS = frozenset({"min_keywords", "red_keywords"})  # counts: 2.9 keywords was read as 2
PAIRS = {"red_pct": "yellow_pct", "red_keywords": "min_keywords"}


class ScopeForm(BaseModel):
    """The scope builder as typed, every box a string: ``create_scope`` reads it whole, so that one
    answer names every problem of one submit (a branch line without its colon, a key taken...)."""

    key: str = ""
    name: str = ""
    name_zh: str = ""
    query: str = ""
    branches: str = Field(default="", description="one per line, “name: query”")
    org: str = Field(default="", description="the id of an organisation of mine to share it with, or empty")
    published: bool = False


def subscribe(w: Writer, search: SearchService, form: SubscriptionForm) -> SubscriptionOut:
    """Subscribe with competitors the index knows: a name matching no applicant is refused, with
    the names as typed in ``extra['unknown']``, never kept silently. Every problem of the form is
    refused at once (``Refused``): values out of range, unknown names, thresholds in the wrong order."""
    problems: list[Exception] = []
    rules = form.rules(problems)
    names = form.names()
    body = None
    try:
        body = SubscriptionIn(scope=form.scope, org_id=parse_id(form.org), watched=names,
                              product_keywords=form.keyword_list(), rules=rules, lang=form.lang,
                              monthly_report=form.monthly_report)
    except ValidationError as exc:
        problems.append(exc)
    if unknown := unknown_names(search, names):
        template = "no applicant in the data is named %(names)s: choose a name from the suggestions"
        listed = Listed(unknown)
        problems.append(InvalidInput(template % {"names": listed}, template=template, params={"names": listed},
                                     unknown=unknown).about("watched"))
    refused_numbers = {str(p.extra.get("field")) for p in problems if isinstance(p, InvalidInput)}
    problems += [p for p in alerts.threshold_problems(rules)  # a pair with a number refused is not compared
                 if not {p.extra["field"], PAIRS[str(p.extra["field"])]} & refused_numbers]
    if problems or body is None:
        raise Refused(problems)
    return analytics.subscribe(w, body)


def create_scope(w: Writer, form: ScopeForm) -> Industry:
    """A scope from the builder's boxes: its branch lines parsed here, every problem of the values
    typed refused at once (``Refused``), then created, shared or published (``analytics.create_scope``)."""
    problems: list[Exception] = []
    branches: list[Branch] = []
    try:
        branches = scopes.parse_branches(form.branches)
    except InvalidInput as exc:
        problems.append(exc)
    try:
        body = scopes.ScopeIn(key=form.key.strip(), name=form.name.strip(), name_zh=form.name_zh.strip(),
                              query=form.query.strip(), branches=branches, org_id=parse_id(form.org),
                              published=form.published)
    except ValidationError as exc:
        problems.append(exc)
    if problems:
        raise Refused(problems)
    return analytics.create_scope(w, body)


class ReportView(BaseModel):
    """A report of the archive with its scope's name in the reader's language."""

    report: ReportOut
    name: str


def _scope_name(session: Session, key: str, lang: Language) -> str:
    try:
        industry = scopes.resolve(session, key)  # the reader may read the report, so its scope's name
    except NotFound:
        return key
    return _name(industry, lang)


def _name(industry: Industry, lang: Language) -> str:
    return industry.name_zh if lang is Language.zh else industry.name


def report_view(session: Session, user: User | None, report_id: int, lang: Language) -> ReportView:
    shown = reports.report_status(session, user, report_id)
    return ReportView(report=shown, name=_scope_name(session, shown.scope, lang))


class Archive(BaseModel):
    reports: list[ReportView]
    scope_name: str | None = Field(description="the name of the scope the list is narrowed to, if any")


def archive(session: Session, user: User, scope: str | None, lang: Language) -> Archive:
    """Every version of the reports ``user`` asked for, newest first, with their scopes' names;
    narrowed to ``scope``, which must be one the user has reports of or may see (an unknown key
    is NotFound, not an empty list under its name)."""
    names: dict[str, str] = {}
    out = []
    for shown in reports.reports_of(session, user, scope):
        if shown.scope not in names:
            names[shown.scope] = _scope_name(session, shown.scope, lang)
        out.append(ReportView(report=shown, name=names[shown.scope]))
    if scope and not out:
        names[scope] = _name(scopes.resolve_for(session, scope, user), lang)
    return Archive(reports=out, scope_name=names.get(scope) if scope else None)


class SubscriptionView(BaseModel):
    subscription: SubscriptionOut
    watched_names: list[str] = Field(description="the watched competitors as printed (the key when none says)")


def subscriptions(session: Session, search: SearchService, user: User) -> list[SubscriptionView]:
    """The user's subscriptions with their watched competitors named as printed on their documents."""
    return [_named(search, scopes.resolve(session, sub.scope).query if sub.watched else "", sub)
            for sub in analytics.subscriptions_of(session, user)]


def _named(search: SearchService, query: str, sub: SubscriptionOut) -> SubscriptionView:
    """The subscription with its watched competitors as printed on the documents of its scope's ``query``."""
    names: dict[str, str] = {}
    if sub.watched:
        node, planner = search.plan(query)
        names = printed_names(search, node, planner, sub.watched)
        if elsewhere := [k for k in sub.watched if k not in names]:  # not in the scope (yet): as printed anywhere
            names |= printed_names(search, any_keyword("OWNER", elsewhere), planner, elsewhere)
    return SubscriptionView(subscription=sub, watched_names=[names.get(k, k) for k in sub.watched])


class SubscriptionStanding(BaseModel):
    """A subscription with each of its rules' measures today, beside its thresholds."""

    view: SubscriptionView
    scope_name: str
    as_of: dt.date
    latest: dt.date | None = Field(description="the scope's latest publication on or before as_of")
    months: int = Field(description="the length of the trailing publication-date windows compared")
    rules: RulesConfig
    standings: list[Standing]


def standing(session: Session, search: SearchService, user: User, sub_id: int, lang: Language,
             as_of: dt.date | None = None) -> SubscriptionStanding:
    """Where each rule of the user's subscription stands on ``as_of`` (today): what the alerts are
    checked against, shown whether or not one fired. Another user's subscription is NotFound."""
    sub = alerts.owned_subscription(session, user.id, sub_id)
    scope = scopes.resolve_for(session, sub.scope, user)  # a scope unpublished or left since: nothing is shown
    ctx, config = alerts.rule_context(session, sub, as_of or shown_today())
    view = _named(search, ctx.query, SubscriptionOut.model_validate(sub))
    node, planner = search.plan(ctx.query)
    return SubscriptionStanding(view=view, scope_name=_name(scope, lang),
                                as_of=ctx.as_of,
                                latest=latest_publication(search, planner, ctx.as_of, node),
                                months=config.window_months, rules=config, standings=standings(search, ctx, config))
