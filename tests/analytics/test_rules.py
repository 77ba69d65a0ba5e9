"""Early-warning rules: each default rule fires on documents built to cross its threshold and stays
quiet just below it (both backends); alerts reach each subscriber once, however many runs and
subscriptions raise them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from analytics import alerts, scopes
from analytics import tasks as analytics_tasks
from analytics.models import Alert
from analytics.rules import (
    ConcentrationBand,
    ForeignGrowth,
    Rule,
    RuleContext,
    RulesConfig,
    Standing,
    StandingLevel,
    evaluate,
    standings,
    windows,
)
from api.worker import build_celery
from core.accounts.models import OrgKind, OrgRole
from core.accounts.service import add_member, create_organisation, create_user
from core.celery_app import CORPUS_UPDATED_LISTENERS
from core.db import session_scope
from core.notifications import Notification
from core.settings import Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import get_backend
from ipsearch.events import CorpusEvent
from ipsearch.indexdoc import build_index_doc
from ipsearch.model import (
    Claim,
    DocKind,
    LangText,
    PartialDate,
    Party,
    PartyRole,
    PatentDocument,
    normalise_number,
    parse_ipc,
)
from ipsearch.names import harmonise_name
from ipsearch.service import SearchService

AS_OF = dt.date(2024, 6, 30)
CURRENT = dt.date(2024, 1, 15)  # inside the 12-month window ending AS_OF
PREVIOUS = dt.date(2023, 1, 15)  # inside the 12 months before
EARLY = dt.date(2020, 3, 1)


class Corpus:
    """Documents built for the rules, numbered in the unused US 91000000+ range."""

    def __init__(self) -> None:
        self.docs: list[tuple[int, PatentDocument]] = []

    def add(self, owner: str, country: str, published: dt.date, ipc: tuple[str, ...] = ("H01L 33/50",),
            claims: str = "A lamp comprising a housing.", run: int = 1, n: int = 1) -> None:
        for _ in range(n):
            number = 91_000_000 + len(self.docs)
            doc = PatentDocument(
                pn=normalise_number("US", str(number), "B2"), doc_kind=DocKind.grant,
                filing_date=PartialDate.parse(f"{published.year - 2}0101"),
                publication_date=PartialDate.parse(published.strftime("%Y%m%d")),
                titles=[LangText(lang="en", text=f"Built document {number}")],
                claims={"en": [Claim(number=1, text=claims, independent=True)]},
                ipc=[c for s in ipc if (c := parse_ipc(s))],
                parties=[Party(role=PartyRole.assignee, name=owner, key=harmonise_name(owner), is_organisation=True,
                               country=country)],
                source_format="test-built", synthetic=True)
            self.docs.append((run, doc))


def build_corpus() -> Corpus:
    c = Corpus()
    # foreign_growth (scope IPC=H01L, home CN): > 50% yellow, > 100% red, >= 5 documents now
    c.add("Alpha Corp", "US", PREVIOUS, n=4)
    c.add("Alpha Corp", "US", CURRENT, n=7)  # with the F21V one below: 8, +100%: not more than 100%, yellow
    c.add("Beta Inc", "US", PREVIOUS, n=3)
    c.add("Beta Inc", "US", CURRENT, n=7)  # with the H05B one below: 8, +167%: red
    c.add("Gamma KK", "JP", PREVIOUS, n=4)
    c.add("Gamma KK", "JP", CURRENT, n=5)  # with the F21V one below: 6, +50%: not more than 50%, quiet
    c.add("Delta Co", "KR", PREVIOUS, n=2)
    c.add("Delta Co", "KR", CURRENT, n=4)  # +100% but only 4 documents: quiet
    c.add("Zeta Lighting", "CN", PREVIOUS, n=1)
    c.add("Zeta Lighting", "CN", CURRENT, n=9)  # domestic: quiet
    # competitor_new_subclass: Alpha enters F21V now; Gamma was in F21V before the window
    c.add("Alpha Corp", "US", CURRENT, ipc=("H01L 33/50", "F21V 29/70"))
    c.add("Gamma KK", "JP", EARLY, ipc=("H01L 33/50", "F21V 29/70"))
    c.add("Gamma KK", "JP", CURRENT, ipc=("H01L 33/50", "F21V 29/70"))
    c.add("Beta Inc", "US", CURRENT, ipc=("H01L 33/50", "H05B 45/10"))  # new subclass, but Beta is not watched
    # concentration_band: G06F moves from HHI 1000 to 1550 (moderate, yellow); A61B to 1400 (quiet)
    for scope_ipc, second in (("G06F 16/245", 4), ("A61B 5/00", 3)):
        for k in range(10):
            c.add(f"Even {k} Ltd", "DE", PREVIOUS, ipc=(scope_ipc,), n=2)
        c.add("Leader AG", "DE", CURRENT, ipc=(scope_ipc,), n=6)
        c.add("Second AG", "DE", CURRENT, ipc=(scope_ipc,), n=second)
        for k in range(20 - 6 - second):
            c.add(f"Small {k} GmbH", "DE", CURRENT, ipc=(scope_ipc,))
    # product_keywords: run 7 is new; run 1 is old
    c.add("Omega Ltd", "GB", CURRENT, run=7, claims="A lamp with a phosphor layer on a heat sink behind a lens.")
    c.add("Omega Ltd", "GB", CURRENT, run=7, claims="A lamp with a phosphor layer on a heat sink.")
    c.add("Omega Ltd", "GB", CURRENT, run=7, claims="A lamp with a lens.")  # one keyword: quiet
    c.add("Omega Ltd", "GB", CURRENT, run=1, claims="A phosphor layer, a heat sink and a lens.")  # old run: quiet
    return c


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus()


@pytest.fixture(scope="module")
def services(corpus: Corpus, corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        dict[str, SearchService]]:
    settings = corpus_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("rules") / "var",
                                                  "es_index_prefix": f"patents-rules-{uuid.uuid4().hex[:8]}"})
    out = {}
    analyzer = get_analyzer()
    for kind in ("es", "embedded"):
        backend = get_backend(settings, kind)
        backend.ensure_index()
        items = [(i, build_index_doc(doc, analyzer) | {"load_run": run}) for i, (run, doc) in enumerate(corpus.docs)]
        assert all(o.ok for o in backend.write(items))
        backend.refresh()
        out[kind] = SearchService(backend)
    yield out
    get_backend(settings, "es").drop()


def by_rule(findings: list, rule: str) -> dict[str, str]:  # type: ignore[type-arg]
    return {f.subject: f.severity for f in findings if f.rule == rule}


@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_foreign_growth(kind: str, services: dict[str, SearchService]) -> None:
    ctx = RuleContext(query="IPC=H01L", as_of=AS_OF, home_country="CN")
    findings = evaluate(services[kind], ctx)
    assert by_rule(findings, "foreign_growth") == {"alpha": "yellow", "beta": "red"}
    beta = next(f for f in findings if f.subject == "beta")
    assert beta.evidence.numbers["current"] == 8 and beta.evidence.numbers["previous"] == 3
    assert len(beta.evidence.patents) == 8 and all(p.startswith("US91") for p in beta.evidence.patents)
    # the threshold is configurable: at 40% Gamma's +50% fires
    lower = RulesConfig(foreign_growth=ForeignGrowth(yellow_pct=40))
    assert by_rule(evaluate(services[kind], ctx, lower), "foreign_growth") == {
        "alpha": "yellow", "beta": "red", "gamma": "yellow"}


@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_competitor_new_subclass(kind: str, services: dict[str, SearchService]) -> None:
    ctx = RuleContext(query="IPC=H01L", as_of=AS_OF, watched=["alpha", "gamma", "zeta lighting"])
    findings = [f for f in evaluate(services[kind], ctx) if f.rule == "competitor_new_subclass"]
    assert [(f.subject, f.severity) for f in findings] == [("alpha|F21V", "red")]
    assert len(findings[0].evidence.patents) == 1


@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_concentration_band(kind: str, services: dict[str, SearchService]) -> None:
    crossing = evaluate(services[kind], RuleContext(query="IPC=G06F", as_of=AS_OF))
    assert by_rule(crossing, "concentration_band") == {"unconcentrated->moderately concentrated": "yellow"}
    finding = next(f for f in crossing if f.rule == "concentration_band")
    assert finding.evidence.numbers["hhi"] == pytest.approx(1550) and finding.evidence.numbers["previous_hhi"] == 1000
    below = evaluate(services[kind], RuleContext(query="IPC=A61B", as_of=AS_OF))
    assert by_rule(below, "concentration_band") == {}  # HHI 1400: still unconcentrated


@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_product_keywords(kind: str, services: dict[str, SearchService]) -> None:
    ctx = RuleContext(query="IPC=H01L", as_of=AS_OF, product_keywords=["phosphor layer", "heat sink", "lens"],
                      new_runs=[7])
    found = by_rule(evaluate(services[kind], ctx), "product_keywords")
    assert sorted(found.values()) == ["red", "yellow"]  # 3 keywords red, 2 yellow; 1 keyword and old run quiet
    assert by_rule(evaluate(services[kind], ctx.model_copy(update={"new_runs": []})), "product_keywords") == {}


def by_standing(found: list[Standing]) -> dict[Rule, Standing]:
    return {s.rule: s for s in found}


@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_standings_measure_each_rule_beside_its_thresholds(kind: str, services: dict[str, SearchService]) -> None:
    ctx = RuleContext(query="IPC=H01L", as_of=AS_OF, watched=["alpha", "gamma", "zeta lighting"],
                      product_keywords=["lens"])
    today = by_standing(standings(services[kind], ctx))
    growth = today[Rule.foreign_growth]  # Beta 8 against 3 leads Alpha (+100%) and Gamma (+50%)
    assert growth.level is StandingLevel.red
    assert growth.values == {"owner": "Beta Inc", "n": 8, "previous": 3, "growth": "+167", "applicants": 3}
    higher = RulesConfig(foreign_growth=ForeignGrowth(yellow_pct=200, red_pct=300))
    assert by_standing(standings(services[kind], ctx, higher))[Rule.foreign_growth].level is StandingLevel.below
    entered = today[Rule.competitor_new_subclass]  # Alpha 8, Gamma 6, Zeta 9 in the window
    assert (entered.level, entered.values) == (StandingLevel.red, {"competitors": 3, "n": 23, "subclasses": "F21V"})
    keywords = today[Rule.product_keywords]
    assert (keywords.level, keywords.values) == (StandingLevel.on_load, {"keywords": 1})

    moved = by_standing(standings(services[kind], RuleContext(query="IPC=G06F", as_of=AS_OF)))
    band = moved[Rule.concentration_band]
    assert band.level is StandingLevel.yellow
    assert band.values == {"band": "moderately concentrated", "hhi": "1550", "n": 20,
                           "previous_band": "unconcentrated", "previous_hhi": "1000", "previous": 20}
    still = by_standing(standings(services[kind], RuleContext(query="IPC=A61B", as_of=AS_OF)))
    band = still[Rule.concentration_band]
    assert (band.level, band.values["hhi"]) == (StandingLevel.below, "1400")
    assert still[Rule.competitor_new_subclass].level is StandingLevel.not_compared  # nobody watched
    assert still[Rule.product_keywords].level is StandingLevel.not_compared  # no keyword


@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_standings_say_when_there_is_nothing_to_compare(kind: str, services: dict[str, SearchService]) -> None:
    later = RuleContext(query="IPC=H01L", as_of=dt.date(2031, 6, 30), watched=["alpha"])  # both windows empty
    today = by_standing(standings(services[kind], later))
    assert today[Rule.foreign_growth].level is StandingLevel.not_compared
    assert today[Rule.concentration_band].level is StandingLevel.not_compared
    quiet = today[Rule.competitor_new_subclass]
    assert (quiet.level, quiet.values) == (StandingLevel.below, {"competitors": 1, "n": 0, "subclasses": ""})
    off = RulesConfig(concentration_band=ConcentrationBand(enabled=False))
    assert Rule.concentration_band not in by_standing(standings(services[kind], later, off))


def test_windows_are_trailing_months() -> None:
    current, previous = windows(dt.date(2024, 6, 30), 12)
    assert (current.gte, current.lte) == (dt.date(2023, 7, 1), dt.date(2024, 6, 30))
    assert (previous.gte, previous.lte) == (dt.date(2022, 7, 1), dt.date(2023, 6, 30))
    current, _ = windows(dt.date(2024, 3, 31), 1)
    assert (current.gte, current.lte) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))


def test_alerts_reach_each_subscriber_once(services: dict[str, SearchService], corpus_settings: Settings) -> None:
    url = corpus_settings.effective_database_url
    tag = uuid.uuid4().hex[:8]
    with session_scope(url) as session:
        owner = create_user(session, f"owner-{tag}@example.org", "correct horse battery")
        colleague = create_user(session, f"colleague-{tag}@example.org", "correct horse battery")
        org = create_organisation(session, owner, f"LED Association {tag}", OrgKind.association)
        add_member(session, org, colleague.id, OrgRole.member)
        scopes.create(session, scopes.ScopeIn(key=f"led-{tag}", name="LED test", query="IPC=H01L"), owner.id)
        watch = {"scope": f"led-{tag}", "watched": ["Alpha Corp."], "product_keywords": ["phosphor layer", "heat sink"]}
        mine = alerts.subscribe(session, owner.id, alerts.SubscriptionIn.model_validate(watch))
        theirs = alerts.subscribe(session, owner.id, alerts.SubscriptionIn.model_validate(watch | {"org_id": org.id}))
        ids = (owner.id, colleague.id, mine.id, theirs.id)
    service = services["es"]

    def notes(user_id: int) -> list[str]:
        with session_scope(url) as session:
            return list(session.scalars(select(Notification.title).where(Notification.user_id == user_id,
                                                                         Notification.kind == "alert")))

    alerts.run_rules(service, url, as_of=AS_OF)  # as on a corpus-updated event ...
    alerts.run_rules(service, url, as_of=AS_OF)  # ... and again on schedule
    first = notes(ids[0])
    assert sorted(t.split("]")[0] for t in first) == ["[red", "[red", "[yellow"]  # beta, alpha enters F21V, alpha
    assert sorted(notes(ids[1])) == sorted(first)  # the association's member, once each
    with session_scope(url) as session:
        per_sub = dict(session.execute(select(Alert.subscription_id, func.count()).where(
            Alert.subscription_id.in_(ids[2:])).group_by(Alert.subscription_id)).all())
    assert per_sub == {ids[2]: 3, ids[3]: 3}

    # a load run arrives: its documents matching two product keywords alert once more, once each
    with session_scope(url) as session:
        session.add(CorpusEvent(run_id=7, backend=service.backend.kind, target="test", documents=3))
    alerts.run_rules(service, url, as_of=AS_OF)
    alerts.run_rules(service, url, as_of=AS_OF)
    assert len(notes(ids[0])) == len(notes(ids[1])) == 5  # two documents have both keywords
    with session_scope(url) as session:
        session.add(CorpusEvent(run_id=7, backend=service.backend.kind, target="test", documents=3))
    alerts.run_rules(service, url, as_of=AS_OF)  # the same documents loaded again: no new alert
    assert len(notes(ids[0])) == len(notes(ids[1])) == 5


def test_subscriptions_refuse_foreign_organisations_and_unknown_scopes(corpus_settings: Settings) -> None:
    from analytics.rules import ForeignGrowth, ProductKeywords, RulesConfig
    from api.i18n import translations
    from core.errors import InvalidInput, NotFound, PermissionDenied, Refused
    from core.i18n import Language

    tag = uuid.uuid4().hex[:8]
    with session_scope(corpus_settings.effective_database_url) as session:
        someone = create_user(session, f"someone-{tag}@example.org", "correct horse battery")
        other = create_user(session, f"other-{tag}@example.org", "correct horse battery")
        org = create_organisation(session, other, f"Other Association {tag}", OrgKind.association)
        with pytest.raises(PermissionDenied):
            alerts.subscribe(session, someone.id, alerts.SubscriptionIn(scope="led", org_id=org.id))
        with pytest.raises(NotFound):
            alerts.subscribe(session, someone.id, alerts.SubscriptionIn(scope="no-such-scope"))
        for rules, named in ((RulesConfig(foreign_growth=ForeignGrowth(yellow_pct=200, red_pct=10)),
                              "foreign growth, red above 10 % is below yellow above 200 %"),
                             (RulesConfig(product_keywords=ProductKeywords(min_keywords=5, red_keywords=1)),
                              "1 keywords for a red alert are fewer than 5")):
            with pytest.raises(InvalidInput, match=f"red threshold cannot be below its yellow one: {named}"):
                alerts.subscribe(session, someone.id, alerts.SubscriptionIn(scope="led", rules=rules))
        # both pairs: one refusal naming both, said in the reader's language (it was English alone)
        both = RulesConfig(foreign_growth=ForeignGrowth(yellow_pct=200, red_pct=10),
                           product_keywords=ProductKeywords(min_keywords=5, red_keywords=1))
        with pytest.raises(Refused) as refused:
            alerts.subscribe(session, someone.id, alerts.SubscriptionIn(scope="led", rules=both))
        assert [p.extra["field"] for p in refused.value.problems if isinstance(p, InvalidInput)] == [
            "red_pct", "red_keywords"]
        assert refused.value.detail.count("red threshold cannot be below its yellow one") == 2
        zh = refused.value.in_words(translations(Language.zh).gettext, Language.zh)
        assert zh == ("红色预警阈值不能低于黄色预警阈值：国外申请增长率红色预警阈值 10 % 低于黄色预警阈值 200 %；"
                      "红色预警阈值不能低于黄色预警阈值：红色预警起点的命中关键词数 1 少于黄色预警起点的 5")
        assert refused.value.in_words(translations(Language.en).gettext) == refused.value.detail
        equal = RulesConfig(foreign_growth=ForeignGrowth(yellow_pct=80, red_pct=80))
        assert alerts.subscribe(session, someone.id, alerts.SubscriptionIn(scope="led", rules=equal)).id


def test_rules_are_woken_by_corpus_events(corpus_settings: Settings) -> None:
    app = build_celery(corpus_settings)
    assert analytics_tasks.corpus_updated in CORPUS_UPDATED_LISTENERS
    assert {"analytics.corpus_updated", "analytics.run_rules", "analytics.monthly_reports"} <= set(app.tasks)
    schedule = {e["task"] for e in app.conf.beat_schedule.values()}
    assert {analytics_tasks.scheduled_rules.name, analytics_tasks.monthly_reports.name} <= schedule
