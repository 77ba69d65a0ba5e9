"""The catalogue a fresh platform starts with: three departments and the six services the plans
name. ``servicehall.catalogue.seed`` creates whatever of this is missing (``ipcommons hall seed``)."""

from __future__ import annotations

from servicehall.models import ItemKind, Step
from servicehall.schemas import Bilingual, DepartmentIn, FieldSpec, ItemIn, MaterialSpec

A, H, R, P = Step.accept, Step.handle, Step.review, Step.approve

DEPARTMENTS = [
    DepartmentIn(code="copyright", name=Bilingual(zh="版权登记处", en="Copyright Registration Office")),
    DepartmentIn(code="protection", name=Bilingual(zh="知识产权维权援助中心", en="IP Protection Assistance Centre")),
    DepartmentIn(code="supervision", name=Bilingual(zh="监督投诉处", en="Supervision and Complaints Office")),
]

_ID = MaterialSpec(zh="申请人身份证明", en="Proof of the applicant's identity", required=True)
_REG = FieldSpec(name="registration", zh="登记号", en="Registration number", required=True)
_TEXT = FieldSpec(name="details", zh="情况说明", en="Details", required=True, long=True)

ITEMS = [
    ItemIn(code="copyright-review", kind=ItemKind.copyright_review, department="copyright",
           name=Bilingual(zh="著作权登记审查", en="Copyright registration review"),
           description=Bilingual(zh="对登记簿中暂缓登记的作品申请复核审查。",
                                 en="Ask for a registration the registry holds back to be reviewed."),
           materials=[_ID], fields=[_REG, _TEXT], step_days={A: 1, H: 10, R: 3, P: 2}, total_days=20),
    ItemIn(code="registration-subsidy", kind=ItemKind.registration_subsidy, department="copyright",
           name=Bilingual(zh="著作权登记资助", en="Copyright registration subsidy"),
           description=Bilingual(zh="对已登记作品的登记费用申请资助，资助结果公示。",
                                 en="A subsidy for the fees of a registered work; results are published."),
           materials=[_ID, MaterialSpec(zh="缴费凭证", en="Receipt of the fees paid", required=True)],
           fields=[_REG, FieldSpec(name="amount", zh="申请金额（元）", en="Amount asked (CNY)", required=True)],
           step_days={A: 2, H: 10, R: 3, P: 3}, total_days=20, public_results=True),
    ItemIn(code="legal-aid", kind=ItemKind.legal_aid, department="copyright",
           name=Bilingual(zh="登记法律援助", en="Legal aid for registration"),
           description=Bilingual(zh="经济困难的创作者在著作权登记中获得法律援助。",
                                 en="Legal help with a registration for creators of limited means."),
           materials=[_ID, MaterialSpec(zh="经济困难证明", en="Proof of limited means", required=True)],
           fields=[_TEXT], step_days={A: 2, H: 5, R: 2, P: 1}, total_days=12),
    ItemIn(code="rights-protection", kind=ItemKind.rights_protection, department="protection",
           name=Bilingual(zh="维权援助", en="Rights-protection assistance"),
           description=Bilingual(zh="作品或专利遭受侵权时申请维权援助。",
                                 en="Assistance when a work or a patent is infringed."),
           materials=[_ID, MaterialSpec(zh="侵权证据", en="Evidence of the infringement", required=True)],
           fields=[FieldSpec(name="subject", zh="作品或专利", en="The work or patent", required=True),
                   FieldSpec(name="infringer", zh="侵权方", en="The infringer", required=True), _TEXT],
           step_days={A: 2, H: 10, R: 3, P: 2}, total_days=20),
    ItemIn(code="complaint", kind=ItemKind.complaint, department="supervision",
           name=Bilingual(zh="投诉咨询", en="Complaint or consultation"),
           description=Bilingual(zh="对平台服务的投诉、建议和咨询。",
                                 en="Complaints, suggestions and questions about the platform's services."),
           fields=[FieldSpec(name="subject", zh="主题", en="Subject", required=True), _TEXT],
           step_days={A: 1, H: 5, R: 2, P: 1}, total_days=10, public_results=True),
    ItemIn(code="agency-mediation", kind=ItemKind.agency_mediation, department="supervision",
           name=Bilingual(zh="知识产权代理机构纠纷调解", en="Mediation with an IP agency"),
           description=Bilingual(zh="与知识产权代理机构发生纠纷时申请调解；投诉成立的计入该机构诚信档案。",
                                 en="Mediation of a dispute with an IP agency; an upheld complaint enters the "
                                    "agency's integrity record."),
           materials=[_ID],
           fields=[FieldSpec(name="agency_id", zh="代理机构编号", en="Agency number (from the directory)",
                             required=True), _TEXT],
           step_days={A: 2, H: 10, R: 3, P: 2}, total_days=20),
]
