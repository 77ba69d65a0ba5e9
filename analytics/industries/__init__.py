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


INDUSTRIES: dict[str, Industry] = {i.key: i for i in [
    Industry(key="digital-tv", name="Digital TV terminals (TVs and set-top boxes)", name_zh="数字电视终端",
             query="IPC=H04N21/* OR IPC=H04N5/44* OR IPC=H04N5/64* OR IPC=H04N5/445*",
             branches=[Branch(key="stb", name="Set-top box and client devices", query="IPC=H04N21/4*"),
                       Branch(key="content", name="Content distribution and servers", query="IPC=H04N21/2*"),
                       Branch(key="receiver", name="Receiver circuits and display",
                              query="IPC=H04N5/44* OR IPC=H04N5/64*")]),
    Industry(key="led", name="Light-emitting diodes", name_zh="半导体照明 (LED)",
             query="IPC=H01L33/* OR IPC=H05B45/* OR IPC=F21K9/* OR IPC=F21V* OR IPC=H10H*",
             branches=[Branch(key="chip", name="LED chips and packaging", query="IPC=H01L33/* OR IPC=H10H*"),
                       Branch(key="driver", name="Drive circuits", query="IPC=H05B45/*"),
                       Branch(key="lamp", name="Lamps and luminaires", query="IPC=F21K9/* OR IPC=F21V*")]),
    Industry(key="telecom", name="Communication equipment", name_zh="通信设备",
             query="IPC=H04W OR IPC=H04B OR IPC=H04L",
             branches=[Branch(key="wireless", name="Wireless networks", query="IPC=H04W"),
                       Branch(key="transmission", name="Transmission", query="IPC=H04B"),
                       Branch(key="digital", name="Digital information transmission", query="IPC=H04L")]),
    Industry(key="medical-devices", name="Medical devices", name_zh="医疗器械",
             query="IPC=A61B OR IPC=A61M OR IPC=A61N OR IPC=A61F",
             branches=[Branch(key="diagnosis", name="Diagnosis and surgery", query="IPC=A61B"),
                       Branch(key="delivery", name="Introducing media into the body", query="IPC=A61M"),
                       Branch(key="therapy", name="Electro- and radiation therapy", query="IPC=A61N"),
                       Branch(key="implants", name="Implants and prostheses", query="IPC=A61F")]),
    Industry(key="software", name="Software and data processing", name_zh="软件与数据处理",
             query="IPC=G06F OR IPC=G06N OR IPC=G06Q",
             branches=[Branch(key="computing", name="Digital data processing", query="IPC=G06F"),
                       Branch(key="ai", name="Computing models (AI)", query="IPC=G06N"),
                       Branch(key="business", name="Business methods", query="IPC=G06Q")]),
]}
