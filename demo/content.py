"""Demo content for ``make run``: something on every page of a fresh platform, labelled demo.

An administrator (its password printed once, when it is created), demo people, forum categories
with a few threads, agencies across several provinces with reviews (some rated, some not yet), a
registered work, the service hall's catalogue with the administrator in every role, and the
administrator's subscriptions to two demo scopes whose early-warning rules have run once on the
demo corpus, so that the alerts they raised (a red and a yellow one) are there to see. Every name
says 演示/demo and every account is @demo.ipcommons.local, so nobody mistakes it for real data.
Seeding goes through the feature services, as people would: writes are audited and checked like any
other. A platform that already has the demo administrator is left as
it is, so running the demo twice changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import alerts
from analytics import service as analytics
from analytics.industries import INDUSTRIES
from analytics.periods import latest_publication
from analytics.rules import RulesConfig
from analytics.scopes import ScopeIn
from community.agencies import service as agencies
from community.agencies.models import RecordKind, ServiceType
from community.agencies.schemas import AgencyIn, RecordIn, ReviewIn
from community.forums import service as forums
from community.forums.schemas import CategoryIn, PostIn, TopicIn
from copyright import service as registry
from copyright.models import WorkType
from copyright.registry import ContentHash, WorkIn
from copyright.schemas import RegisterIn
from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.audit import AuditContext, Writer
from core.db import session_scope, utcnow
from core.i18n import shown_today
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService
from servicehall import catalogue as hall
from servicehall.models import StaffRole
from servicehall.schemas import DutiesIn, StaffIn

DOMAIN = "demo.ipcommons.local"
ADMIN_EMAIL = f"admin@{DOMAIN}"
PEOPLE = {"creator": "李华（演示） · Li Hua, demo", "analyst": "王芳（演示） · Wang Fang, demo",
          "engineer": "张伟（演示） · Zhang Wei, demo", "applicant": "陈静（演示） · Chen Jing, demo"}
CATEGORIES = [("专利检索与分析（演示） · Patent search and analysis, demo", "检索式、专题库与预警报告的问答 · Queries, "
               "collections and reports"),
              ("著作权登记（演示） · Copyright registration, demo", "登记、许可与证书核验 · Registration, licences, "
               "verifying certificates"),
              ("代理机构（演示） · IP agencies, demo", "选择与评价代理机构 · Choosing and reviewing agencies")]
THREADS = [  # (category, author, title, body, replier, reply): one reply each, as new users may post
    (0, "engineer", "如何检索 LED 散热相关专利？（演示）",
     "我想找 LED 灯具散热结构的专利，`TI=(led AND 散热)` 命中太少，有什么建议？",
     "analyst", "试试 `TXT=(led OR \"light emitting diode\") AND IPC=F21V29`，并在结果页按同族分组。"),
    (1, "creator", "仅哈希登记的证书怎么核验？（演示）",
     "我用“仅哈希”登记了一篇文章，别人如何确认证书是真的？",
     "engineer", "打开登记记录页，把原文件拖进“在浏览器中核验证书”，文件不会上传，每一步都会显示结果。"),
    (2, "applicant", "广东有哪些做通信专利的代理机构？（演示）",
     "想找广东省内擅长 H04W 的代理机构，评价从哪里看？",
     "creator", "在代理机构目录里按省份“广东”、IPC 小类 H04W 筛选，资料页有信用记录和评价。"),
]
AGENCIES = [  # (name, province, city, services, IPC subclasses)
    ("岭南知识产权代理（演示） · Lingnan IP, demo", "广东", "深圳", ["patent", "trademark"], ["H04W", "H04L"]),
    ("珠江专利事务所（演示） · Pearl River Patents, demo", "广东省", "广州", ["patent"], ["H04N", "G06F"]),
    ("京华知识产权（演示） · Jinghua IP, demo", "北京", "", ["patent", "law"], ["A61B", "G16H"]),
    ("浦江版权服务（演示） · Pujiang Copyright, demo", "上海", "", ["copyright", "law"], []),
    ("西湖专利代理（演示） · West Lake Patents, demo", "Zhejiang", "杭州", ["patent"], ["F21V", "H01L"]),
    ("天府知识产权（演示） · Tianfu IP, demo", "四川", "成都", ["patent", "trademark"], ["G06F"]),
]
REVIEWERS = ("analyst", "engineer", "applicant")  # three reviews rate an agency; the last two stay unrated
# The demo's people have been members this long: made now, they were new accounts, so their three
# reviews of an agency counted towards a burst (five in a day from accounts under a week old), and the first two
# reviews of a visitor's new accounts held every review of the agency, which showed "not yet rated".
DEMO_MEMBERS_FOR = timedelta(days=365)
# Built-in industries under demo names, watched by the administrator. The demo corpus publishes some
# 35 documents a year in each: the rules compare two years with the two before (a subscription sets
# its window), as a year held too few documents for any rule to measure.
WATCHED = ("medical-devices", "telecom")
WATCH_RULES = RulesConfig(window_months=24)


class DemoContent(BaseModel):
    """What the seeding made; ``admin_password`` only when the administrator was created now."""

    created: bool
    admin_email: str = ADMIN_EMAIL
    admin_password: str | None = None
    people: int = 0
    topics: int = 0
    agencies: int = 0
    works: int = 0
    services: int = 0
    alerts: int = Field(default=0, description="what the demo subscriptions' rules found on the demo corpus")


def seed_demo_content(settings: Settings) -> DemoContent:
    with session_scope(settings.effective_database_url) as session:
        if session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
            return DemoContent(created=False)
        password = secrets.token_urlsafe(12)
        admin = create_user(session, ADMIN_EMAIL, password, "演示管理员 · Demo admin", Role.admin)
        people = {key: create_user(session, f"{key}@{DOMAIN}", secrets.token_urlsafe(16), name)
                  for key, name in PEOPLE.items()}
        for person in people.values():
            person.created_at = utcnow() - DEMO_MEMBERS_FOR
        session.commit()
        topics = _forums(session, admin, people)
        ids = _agencies(session, admin, people)
        _work(session, settings, people["creator"])
        services = _service_hall(session, admin)
        found = _alerts(session, settings, admin)
        return DemoContent(created=True, admin_password=password, people=len(people), topics=topics,
                           agencies=len(ids), works=1, services=services, alerts=found)


def _as(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip=None))


def _forums(session: Session, admin: User, people: dict[str, User]) -> int:
    """Three categories, one question in each from a different person, and one answer."""
    categories = [forums.create_category(_as(session, admin), CategoryIn(name=name, description=about)).id
                  for name, about in CATEGORIES]
    for category, author, title, body, replier, answer in THREADS:
        topic = forums.create_topic(_as(session, people[author]),
                                    TopicIn(category_id=categories[category], title=title, body=body))
        forums.reply(_as(session, people[replier]), topic.id, PostIn(body=answer))
    return len(THREADS)


def _agencies(session: Session, admin: User, people: dict[str, User]) -> list[int]:
    """Agencies in five provinces; the first four reviewed by three people (rated), the rest not yet."""
    ids = []
    for n, (name, province, city, services, ipc) in enumerate(AGENCIES):
        made = agencies.create_agency(_as(session, admin), AgencyIn(
            name=name, licence_number=f"DEMO{n + 1:04d}", province=province, city=city,
            service_types=[ServiceType(s) for s in services], ipc_subclasses=ipc, practitioners=8 + 5 * n))
        ids.append(made.id)
        if n == 2:  # one integrity record, so the directory shows a tier below A+
            agencies.add_integrity_record(_as(session, admin), made.id, RecordIn(
                kind=RecordKind.sanction, points=15, description="演示：逾期未答复审查意见 demo sanction",
                source="演示数据 demo data", occurred_on=date(2025, 6, 1)))
        if n < 4:
            for k, reviewer in enumerate(REVIEWERS):
                score = 5 - (n + k) % 3
                agencies.review_agency(_as(session, people[reviewer]), made.id, ReviewIn(
                    engagement_ref=f"DEMO-{n}-{k}", professionalism=score, responsiveness=max(score - 1, 1),
                    cost_transparency=score, outcome=score, text="演示评价 demo review"))
    return ids


def _work(session: Session, settings: Settings, creator: User) -> None:
    """A hash-only registration of a demo text (its SHA-256 is that of the sentence below)."""
    text = "洱海日出（演示作品）Sunrise over Erhai — a demo work of IP Commons".encode()
    body = RegisterIn(work=WorkIn(title="洱海日出（演示） · Sunrise over Erhai, demo", work_type=WorkType.written,
                                  authors=["李华（演示）"], description="演示数据 · demo content"),
                      content=ContentHash(sha256=hashlib.sha256(text).hexdigest(), size=len(text)))
    registry.register_hash(_as(session, creator), settings, body)


def _service_hall(session: Session, admin: User) -> int:
    """The hall's seed catalogue, and the administrator in every role of every department, so the
    demo can walk an application from 申请 to 办结: with one person in the demo, its departments let
    one person take every step (a platform's own separate duties, 审批分离; the staff page says which)."""
    items = hall.seed(_as(session, admin))
    for dept in hall.departments(session):
        for role in StaffRole:
            hall.add_staff(_as(session, admin), StaffIn(email=ADMIN_EMAIL, department=dept.code, role=role))
        hall.set_separate_duties(_as(session, admin), dept.code, DutiesIn(separate=False))
    return len(items)


def _alerts(session: Session, settings: Settings, admin: User) -> int:
    """The administrator's subscriptions to demo copies of ``WATCHED``, their rules run at once as
    the daily run does, as of the demo corpus's latest publication (its "now", as a dashboard takes
    it: the corpus ends, the calendar goes on). The alerts are the rules' findings; returns how many."""
    search = SearchService(get_backend(settings))
    found = 0
    for key in WATCHED:
        industry = INDUSTRIES[key]
        scope = analytics.create_scope(_as(session, admin), ScopeIn(
            key=f"demo-{key}", name=f"{industry.name}, demo", name_zh=f"{industry.name_zh}（演示）",
            query=industry.query, branches=industry.branches))
        as_of = latest_publication(search, search.plan(scope.query)[1], shown_today()) or shown_today()
        sub = analytics.subscribe(_as(session, admin), alerts.SubscriptionIn(scope=scope.key, rules=WATCH_RULES,
                                                                             lang="zh"))
        run = alerts.run_subscription(search, settings.effective_database_url, sub.id, as_of)
        found += run.findings if run else 0
    return found
