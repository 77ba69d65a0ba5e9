"""Industry scopes: a query-language expression (IPC codes plus keywords) with its technology
breakdown. These are the platform's first industries, built from the IPC scheme."""

from __future__ import annotations

from pydantic import BaseModel


class Branch(BaseModel):
    key: str
    name: str
    query: str


class Industry(BaseModel):
    key: str
    name: str
    name_zh: str
    query: str
    branches: list[Branch]


def _industry(key: str, name: str, name_zh: str, query: str, *branches: tuple[str, str, str]) -> Industry:
    """An industry from its names, query and (key, name, query) branches."""
    return Industry(key=key, name=name, name_zh=name_zh, query=query,
                    branches=[Branch(key=k, name=n, query=q) for k, n, q in branches])


INDUSTRIES: dict[str, Industry] = {i.key: i for i in [
    _industry("digital-tv", "Digital TV terminals (TVs and set-top boxes)", "数字电视终端",
              "IPC=H04N21/* OR IPC=H04N5/44* OR IPC=H04N5/64* OR IPC=H04N5/445*",
              ("stb", "Set-top box and client devices", "IPC=H04N21/4*"),
              ("content", "Content distribution and servers", "IPC=H04N21/2*"),
              ("receiver", "Receiver circuits and display", "IPC=H04N5/44* OR IPC=H04N5/64*")),
    _industry("led", "Light-emitting diodes", "半导体照明 (LED)",
              "IPC=H01L33/* OR IPC=H05B45/* OR IPC=F21K9/* OR IPC=F21V* OR IPC=H10H*",
              ("chip", "LED chips and packaging", "IPC=H01L33/* OR IPC=H10H*"),
              ("driver", "Drive circuits", "IPC=H05B45/*"),
              ("lamp", "Lamps and luminaires", "IPC=F21K9/* OR IPC=F21V*")),
    _industry("telecom", "Communication equipment", "通信设备", "IPC=H04W OR IPC=H04B OR IPC=H04L",
              ("wireless", "Wireless networks", "IPC=H04W"),
              ("transmission", "Transmission", "IPC=H04B"),
              ("digital", "Digital information transmission", "IPC=H04L")),
    _industry("medical-devices", "Medical devices", "医疗器械", "IPC=A61B OR IPC=A61M OR IPC=A61N OR IPC=A61F",
              ("diagnosis", "Diagnosis and surgery", "IPC=A61B"),
              ("delivery", "Introducing media into the body", "IPC=A61M"),
              ("therapy", "Electro- and radiation therapy", "IPC=A61N"),
              ("implants", "Implants and prostheses", "IPC=A61F")),
    _industry("software", "Software and data processing", "软件与数据处理", "IPC=G06F OR IPC=G06N OR IPC=G06Q",
              ("computing", "Digital data processing", "IPC=G06F"),
              ("ai", "Computing models (AI)", "IPC=G06N"),
              ("business", "Business methods", "IPC=G06Q")),
]}
