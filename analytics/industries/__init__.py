"""Industry scopes: a query-language expression (IPC codes plus keywords) with its technology
breakdown. These are the platform's first industries, built from the IPC scheme."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core import regions
from core.i18n import Language


class Branch(BaseModel):
    key: str
    name: str
    name_zh: str = Field(default="", max_length=200, description="Chinese name (the English one when empty)")
    query: str

    def label(self, lang: Language | str) -> str:
        return (self.name_zh or self.name) if lang == "zh" else self.name


class Industry(BaseModel):
    key: str
    name: str
    name_zh: str
    query: str
    branches: list[Branch]


def _industry(key: str, name: str, name_zh: str, query: str, *branches: tuple[str, str, str, str]) -> Industry:
    """An industry from its names, query and (key, name, Chinese name, query) branches."""
    return Industry(key=key, name=name, name_zh=name_zh, query=query,
                    branches=[Branch(key=k, name=n, name_zh=z, query=q) for k, n, z, q in branches])


INDUSTRIES: dict[str, Industry] = {i.key: i for i in [
    _industry("digital-tv", "Digital TV terminals (TVs and set-top boxes)", "数字电视终端",
              "IPC=H04N21/* OR IPC=H04N5/44* OR IPC=H04N5/64* OR IPC=H04N5/445*",
              ("stb", "Set-top box and client devices", "机顶盒与客户端设备", "IPC=H04N21/4*"),
              ("content", "Content distribution and servers", "内容分发与服务器", "IPC=H04N21/2*"),
              ("receiver", "Receiver circuits and display", "接收电路与显示", "IPC=H04N5/44* OR IPC=H04N5/64*")),
    _industry("led", "Light-emitting diodes", "半导体照明 (LED)",
              "IPC=H01L33/* OR IPC=H05B45/* OR IPC=F21K9/* OR IPC=F21V* OR IPC=H10H*",
              ("chip", "LED chips and packaging", "LED芯片与封装", "IPC=H01L33/* OR IPC=H10H*"),
              ("driver", "Drive circuits", "驱动电路", "IPC=H05B45/*"),
              ("lamp", "Lamps and luminaires", "灯具与照明装置", "IPC=F21K9/* OR IPC=F21V*")),
    _industry("telecom", "Communication equipment", "通信设备", "IPC=H04W OR IPC=H04B OR IPC=H04L",
              ("wireless", "Wireless networks", "无线通信网络", "IPC=H04W"),
              ("transmission", "Transmission", "传输", "IPC=H04B"),
              ("digital", "Digital information transmission", "数字信息传输", "IPC=H04L")),
    _industry("medical-devices", "Medical devices", "医疗器械", "IPC=A61B OR IPC=A61M OR IPC=A61N OR IPC=A61F",
              ("diagnosis", "Diagnosis and surgery", "诊断与外科", "IPC=A61B"),
              ("delivery", "Introducing media into the body", "向人体内引入介质", "IPC=A61M"),
              ("therapy", "Electro- and radiation therapy", "电疗与放射治疗", "IPC=A61N"),
              ("implants", "Implants and prostheses", "植入物与假体", "IPC=A61F")),
    _industry("software", "Software and data processing", "软件与数据处理", "IPC=G06F OR IPC=G06N OR IPC=G06Q",
              ("computing", "Digital data processing", "数字数据处理", "IPC=G06F"),
              ("ai", "Computing models (AI)", "计算模型（人工智能）", "IPC=G06N"),
              ("business", "Business methods", "商业方法", "IPC=G06Q")),
]}

REGION_PREFIX = "region-"


def region_scope(key: str) -> Industry | None:
    """The built-in scope of a Chinese administrative division: ``region-440000`` holds every
    document with an owner in Guangdong (``RG=440000``); its branches are the built-in industries.
    ``None`` for any other key."""
    code = key.removeprefix(REGION_PREFIX)
    region = regions.by_code(code) if key.startswith(REGION_PREFIX) and len(code) == 6 else None
    if region is None:
        return None
    return Industry(key=key, name=region.name_en, name_zh=region.name_zh, query=f"RG={region.code}",
                    branches=[Branch(key=i.key, name=i.name, name_zh=i.name_zh, query=i.query)
                              for i in INDUSTRIES.values()])


def built_in(key: str) -> Industry | None:
    """A built-in scope: an industry or a region."""
    return INDUSTRIES.get(key) or region_scope(key)
