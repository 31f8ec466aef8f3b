"""The built-in sample company: a seeded, reproducible export firm, written as the files its CRM and ERP export.

python -m cockpit.sample [OUT_DIR]   (default data/sample; the output is committed and tests check it regenerates
byte for byte).

The company sells industrial and household goods from China to ~55 countries, Oct 2023 – Nov 2026. What is
deliberately inside, so every page has something true to find:
- concentration: six key accounts in the United States, Germany and the UAE carry over 40 % of revenue;
- churn that follows unresolved complaints, and customers lapsing on their own;
- hidden big accounts: fast-growing customers still graded C or with no owner;
- messy records: missing e-mails and phones, stale records, customers entered twice under variant names
  (recorded in truth_duplicates.csv), countries written as codes, English and Chinese names;
- a GBK-encoded CSV with Chinese headers (the CRM), an Excel workbook (complaints), orders in USD, EUR and CNY
  with an fx file, and an inquiry -> quote -> sample -> order pipeline.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261127
START = dt.date(2023, 10, 1)
END = dt.date(2026, 11, 20)

REPS = ["Li Wei", "Zhang Min", "Wang Fang", "Chen Jie", "Liu Yang", "Zhao Lei", "Anna Müller", "David Smith"]
# (ISO-2, weight, how the CRM writes it, currency, sales region)
COUNTRIES = [
    ("US", 14, "美国", "USD", "Americas"), ("DE", 9, "Germany", "EUR", "Europe"), ("AE", 4, "阿联酋", "USD", "Middle East"),
    ("GB", 6, "UK", "USD", "Europe"), ("FR", 5, "France", "EUR", "Europe"), ("IT", 4, "意大利", "EUR", "Europe"),
    ("ES", 4, "Spain", "EUR", "Europe"), ("NL", 3, "Netherlands", "EUR", "Europe"), ("PL", 3, "POL", "EUR", "Europe"),
    ("BR", 4, "巴西", "USD", "Americas"), ("MX", 3, "Mexico", "USD", "Americas"), ("CA", 3, "Canada", "USD", "Americas"),
    ("AU", 3, "澳大利亚", "USD", "Asia Pacific"), ("JP", 3, "Japan", "USD", "Asia Pacific"), ("KR", 3, "Korea, Republic of", "USD", "Asia Pacific"),
    ("IN", 3, "India", "USD", "Asia Pacific"), ("VN", 3, "Viet Nam", "USD", "Asia Pacific"), ("TH", 2, "泰国", "USD", "Asia Pacific"),
    ("MY", 2, "Malaysia", "USD", "Asia Pacific"), ("SG", 2, "Singapore", "USD", "Asia Pacific"), ("ID", 2, "Indonesia", "USD", "Asia Pacific"),
    ("PH", 2, "Philippines", "USD", "Asia Pacific"), ("SA", 3, "Saudi Arabia", "USD", "Middle East"), ("TR", 2, "Turkey", "USD", "Middle East"),
    ("IL", 1, "Israel", "USD", "Middle East"), ("EG", 2, "埃及", "USD", "Africa"), ("ZA", 2, "South Africa", "USD", "Africa"),
    ("NG", 2, "Nigeria", "USD", "Africa"), ("KE", 1, "Kenya", "USD", "Africa"), ("MA", 1, "Morocco", "USD", "Africa"),
    ("RU", 3, "俄罗斯", "CNY", "Europe"), ("KZ", 1, "Kazakhstan", "CNY", "Asia Pacific"), ("UZ", 1, "Uzbekistan", "CNY", "Asia Pacific"),
    ("CL", 2, "Chile", "USD", "Americas"), ("PE", 1, "Peru", "USD", "Americas"), ("CO", 1, "Colombia", "USD", "Americas"),
    ("AR", 1, "Argentina", "USD", "Americas"), ("BE", 2, "Belgium", "EUR", "Europe"), ("SE", 1, "Sweden", "EUR", "Europe"),
    ("DK", 1, "Denmark", "EUR", "Europe"), ("FI", 1, "Finland", "EUR", "Europe"), ("AT", 1, "Österreich", "EUR", "Europe"),
    ("CH", 1, "Switzerland", "EUR", "Europe"), ("CZ", 1, "Czechia", "EUR", "Europe"), ("PT", 1, "Portugal", "EUR", "Europe"),
    ("GR", 1, "Greece", "EUR", "Europe"), ("IE", 1, "Ireland", "EUR", "Europe"), ("RO", 1, "Romania", "EUR", "Europe"),
    ("HU", 1, "Hungary", "EUR", "Europe"), ("NZ", 1, "New Zealand", "USD", "Asia Pacific"), ("PK", 1, "Pakistan", "USD", "Asia Pacific"),
    ("BD", 1, "Bangladesh", "USD", "Asia Pacific"), ("LK", 1, "Sri Lanka", "USD", "Asia Pacific"), ("QA", 1, "Qatar", "USD", "Middle East"),
    ("KW", 1, "Kuwait", "USD", "Middle East"), ("HK", 1, "中国香港", "USD", "Asia Pacific"),
]
LEGAL = {"DE": "GmbH", "AT": "GmbH", "CH": "AG", "US": "Inc.", "CA": "Inc.", "GB": "Ltd", "IE": "Ltd", "AU": "Pty Ltd",
         "NZ": "Ltd", "FR": "SARL", "ES": "S.A.", "IT": "S.r.l.", "PT": "Lda", "NL": "B.V.", "BE": "BVBA", "PL": "Sp. z o.o.",
         "BR": "Ltda", "MX": "S.A. de C.V.", "AE": "LLC", "SA": "Co.", "HK": "有限公司", "JP": "Co., Ltd.", "KR": "Co., Ltd.",
         "RU": "OOO", "TR": "A.Ş.", "SE": "AB", "DK": "A/S", "FI": "Oy", "CZ": "s.r.o."}
WORDS_A = ["Global", "Atlas", "Northern", "Blue", "Golden", "Pacific", "Prime", "Apex", "Summit", "Metro", "Silver", "Eagle",
           "Harbor", "United", "Royal", "Green", "Sun", "Star", "Delta", "Omega", "Crown", "Vista", "Nova", "Alpha", "Ocean"]
WORDS_C = ["Bay", "Bridge", "Castle", "Field", "Forest", "Hill", "Lake", "Park", "River", "Rock", "Stone", "Valley",
           "Wood", "Port", "Gate", "Point", "Ridge", "Spring", "Coast", "Dale", "Brook", "Crest", "Haven", "Shore",
           "Mill", "Glen", "Cape", "Grove", "Marsh", "Moor", "Peak", "Reef", "Sound", "Vale", "Wells", "Cross"]
WORDS_B = ["Trading", "Imports", "Supply", "Distribution", "Home", "Hardware", "Industrial", "Retail", "Commerce",
           "Tools", "Living", "Electric", "Lighting", "Kitchen", "Garden", "Building", "Outdoor", "Textiles"]
INDUSTRIES = ["Retail chain", "Wholesale", "E-commerce", "Hardware store", "Construction", "Hospitality", "Importer"]
SOURCES = ["Canton Fair", "Alibaba.com", "Website", "Referral", "Trade show", "Made-in-China.com"]
CATEGORIES = {
    "Lighting": [("LED panel 60x60", 18.5), ("LED bulb E27 pack", 6.2), ("Solar garden lamp", 9.8)],
    "Kitchenware": [("Stainless pot set", 32.0), ("Ceramic knife set", 14.5), ("Silicone utensil set", 7.9)],
    "Hardware": [("Cordless drill 20V", 41.0), ("Tool box 120 pcs", 27.5), ("Door hinge pack", 3.4)],
    "Furniture": [("Folding chair", 16.0), ("Office desk", 74.0), ("Garden bench", 58.0)],
    "Textiles": [("Cotton towel set", 8.6), ("Bedding set queen", 21.0), ("Polyester curtain", 11.2)],
}
COMPLAINT_CATEGORIES = ["Quality defect", "Delivery delay", "Packaging damage", "Wrong item", "Documentation", "Price dispute"]
ROOT_CAUSES = {"Quality defect": ["Supplier material", "Process drift", "Inspection miss"],
               "Delivery delay": ["Capacity shortage", "Carrier delay", "Late materials"],
               "Packaging damage": ["Weak carton", "Loading method"], "Wrong item": ["Picking error", "Label mix-up"],
               "Documentation": ["Customs paperwork error", "Invoice error"], "Price dispute": ["Quote misunderstanding"]}
DEPARTMENTS = {"Quality defect": "QA", "Delivery delay": "Logistics", "Packaging damage": "Logistics",
               "Wrong item": "Warehouse", "Documentation": "Documentation", "Price dispute": "Sales"}
SEVERITIES = [("Critical", 0.12, 4, 72), ("Major", 0.38, 12, 168), ("Minor", 0.50, 24, 336)]
SEASON = np.array([0.80, 0.65, 0.95, 1.0, 1.05, 1.0, 0.95, 1.05, 1.2, 1.3, 1.25, 0.9])  # Jan..Dec: CNY dip, Q4 peak
FX_BASE = {"EUR": 1.08, "CNY": 0.139}


def _days(rng, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=int(rng.integers(0, max(1, (hi - lo).days) + 1)))


def _company_name(rng, country: str, used: set) -> str:
    """A company name not used before (real customer lists rarely hold two firms of one name)."""
    for _ in range(1000):
        if country in ("HK",):
            name = f"香港{rng.choice(['恒达', '永盛', '华联', '东方', '新世纪', '利丰', '嘉华', '瑞安'])}{rng.choice(['贸易', '实业', '进出口', '国际'])}有限公司"
        else:
            name = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_C)} {rng.choice(WORDS_B)} {LEGAL.get(country, 'Ltd')}"
        key = " ".join(name.split()[:3]) if " " in name else name
        if key not in used:
            used.add(key)
            return name
    raise RuntimeError("ran out of company names")


def _variant_name(rng, name: str) -> str:
    """How the same company is typed again by another rep: other case, another legal form, punctuation, a typo."""
    choice = int(rng.integers(0, 4))
    if name.endswith("有限公司"):
        return name.replace("有限公司", "公司") if choice % 2 else name.replace("有限公司", "(香港)有限公司")
    words = name.split()
    base = " ".join(words[:3])
    if choice == 0:
        return name.upper()
    if choice == 1:
        return f"{base} {rng.choice(['Limited', 'Co., Ltd.', 'Company', 'Group'])}"
    if choice == 2:
        return base.replace(" ", "-", 1) + ", " + " ".join(words[3:]).replace(".", "")
    typo = int(rng.integers(1, len(words[1])))
    return " ".join([words[0], words[1][:typo] + words[1][typo + 1:], *words[2:]])


def generate() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    n_customers = 1500
    codes = [c[0] for c in COUNTRIES]
    weights = np.array([c[1] for c in COUNTRIES], dtype=float)
    info = {c[0]: c for c in COUNTRIES}

    customers = []
    used_names: set = set()
    for i in range(n_customers):
        cc = codes[rng.choice(len(codes), p=weights / weights.sum())]
        created = _days(rng, dt.date(2021, 1, 1), dt.date(2026, 9, 30))
        cid = f"C{10001 + i}"
        name = _company_name(rng, cc, used_names)
        domain = "-".join(name.split()[:3]).lower() + ".com" if " " in name else f"hk{i}.com.hk"
        email = f"{rng.choice(['info', 'purchase', 'sales', 'buyer'])}@{domain}"
        if rng.random() < 0.12:
            email = f"{name.split()[0].lower()}{i}@{rng.choice(['gmail.com', 'hotmail.com', 'yahoo.com', '163.com', 'qq.com'])}"
        customers.append({
            "customer_id": cid, "customer_name": name, "country_code": cc,
            "country_written": info[cc][2] if rng.random() < 0.8 else cc,
            "sales_region": info[cc][4],
            "sales_rep": REPS[int(rng.integers(0, len(REPS)))] if rng.random() > 0.06 else None,
            "segment": None, "industry": rng.choice(INDUSTRIES) if rng.random() > 0.15 else None,
            "source_channel": rng.choice(SOURCES, p=[0.26, 0.24, 0.16, 0.14, 0.12, 0.08]),
            "created_on": created, "email": email if rng.random() > 0.18 else None,
            "phone": f"+{int(rng.integers(1, 99))} {int(rng.integers(100, 999))} {int(rng.integers(1000000, 9999999))}" if rng.random() > 0.14 else None,
            "website": f"www.{domain}" if rng.random() > 0.35 and "@" in email and "gmail" not in email else None,
            "currency": info[cc][3] if rng.random() > 0.15 else "USD",
        })
    # Six key accounts: concentration in the US, Germany and the UAE.
    key_accounts = {0: "US", 1: "US", 2: "DE", 3: "DE", 4: "AE", 5: "US"}
    for idx, cc in key_accounts.items():
        c = customers[idx]
        name = _company_name(rng, cc, used_names)
        domain = "-".join(name.split()[:3]).lower() + ".com"
        c.update(country_code=cc, country_written=info[cc][2], sales_region=info[cc][4], currency=info[cc][3],
                 created_on=dt.date(2021, 3 + idx, 10), customer_name=name, email=f"purchase@{domain}",
                 website=f"www.{domain}", sales_rep=REPS[idx % 3], source_channel="Canton Fair")

    # Pipeline: inquiry -> quote -> sample -> first order.
    pipeline, buyers = [], []
    for k, c in enumerate(customers):
        inquiry = max(c["created_on"], START - dt.timedelta(days=400))
        pipeline.append((c["customer_id"], "inquiry", inquiry))
        is_key = k in key_accounts
        stage_p = [0.86, 0.74, 0.86] if not is_key else [1, 1, 1]
        day = inquiry
        reached = "inquiry"
        for stage, p in zip(("quote", "sample", "order"), stage_p):
            if rng.random() > p:
                break
            day = day + dt.timedelta(days=int(rng.integers(5, 60)))
            if day > END:
                break
            reached = stage
            if stage != "order":
                pipeline.append((c["customer_id"], stage, day))
        if reached == "order":
            first_order = max(day, START) if day < START else day
            buyers.append((k, first_order))
            if day >= START:
                pipeline.append((c["customer_id"], "order", day))

    fx_rows = []
    month = dt.date(2022, 1, 1)
    rates = dict(FX_BASE)
    while month <= END:
        for cur in ("EUR", "CNY"):
            rates[cur] = rates[cur] * float(np.exp(rng.normal(0, 0.012)))
            fx_rows.append({"currency": cur, "valid_from": month.isoformat(), "rate_to_reporting": round(rates[cur], 5)})
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    fx = pd.DataFrame(fx_rows)

    def rate(cur: str, day: dt.date) -> float:
        if cur == "USD":
            return 1.0
        sub = fx[(fx.currency == cur) & (fx.valid_from <= day.isoformat())]
        return float(sub.iloc[-1].rate_to_reporting)

    products = [(cat, p, price) for cat, items in CATEGORIES.items() for p, price in items]
    orders, complaints = [], []
    order_no = 500000
    complaint_no = 1
    hidden_growers = set(int(x) for x in rng.choice(np.arange(20, len(customers)), size=25, replace=False))
    for k, first in buyers:
        c = customers[k]
        is_key = k in key_accounts
        annual_usd = float(np.exp(rng.normal(10.1, 0.9))) if not is_key else float(rng.uniform(2.8e6, 4.0e6))
        gap = float(rng.uniform(25, 110)) if not is_key else float(rng.uniform(10, 18))
        grows = k in hidden_growers
        lapse_at = END + dt.timedelta(days=999)
        if rng.random() < 0.22 and not is_key:
            lapse_at = _days(rng, first + dt.timedelta(days=120), END)
        day = first
        n_orders = 0
        while day <= END and day < lapse_at:
            n_orders += 1
            order_no += 1
            season = SEASON[day.month - 1]
            growth = (1 + 1.8 * max(0, (day - dt.date(2025, 6, 1)).days) / 365) if grows else 1.0
            value_usd = annual_usd * gap / 365 * season * growth * float(np.exp(rng.normal(0, 0.35)))
            n_lines = int(rng.integers(1, 5))
            shares = rng.dirichlet(np.ones(n_lines))
            fx_r = rate(c["currency"], day)
            for line in range(n_lines):
                cat, prod, price_usd = products[int(rng.integers(0, len(products)))]
                unit_price = round(price_usd * float(rng.uniform(0.9, 1.15)) / fx_r, 2)
                qty = max(1, int(round(value_usd * shares[line] / (price_usd))))
                orders.append({"order_id": f"SO{order_no}", "line_no": line + 1, "customer_id": c["customer_id"],
                               "ordered_on": day, "shipped_on": day + dt.timedelta(days=int(rng.integers(12, 45))),
                               "product": prod, "category": cat, "quantity": qty, "unit_price": unit_price,
                               "amount": round(qty * unit_price, 2), "currency": c["currency"]})
            # Returns: about 2 % of orders come back in part.
            if rng.random() < 0.02:
                back = orders[-1]
                orders.append(dict(back, order_id=f"RT{order_no}", line_no=1, quantity=-max(1, back["quantity"] // 4),
                                   amount=round(-max(1, back["quantity"] // 4) * back["unit_price"], 2),
                                   ordered_on=min(END, day + dt.timedelta(days=30)), shipped_on=None))
            # Complaints: more on bigger, more frequent accounts; severity drives latency and churn.
            if rng.random() < (0.10 if not is_key else 0.04):
                cat = COMPLAINT_CATEGORIES[int(rng.choice(6, p=[0.32, 0.24, 0.14, 0.1, 0.12, 0.08]))]
                sev_i = int(rng.choice(3, p=[s[1] for s in SEVERITIES]))
                sev, _, fr_target, res_target = SEVERITIES[sev_i]
                received = pd.Timestamp(day + dt.timedelta(days=int(rng.integers(15, 60)))) + pd.Timedelta(hours=float(rng.uniform(7, 20)))
                if received.date() > END:
                    received = pd.Timestamp(END) + pd.Timedelta(hours=9)
                slow = rng.random() < 0.22
                first_resp = received + pd.Timedelta(hours=float(rng.lognormal(np.log(fr_target * (2.5 if slow else 0.6)), 0.6)))
                resolve_h = float(rng.lognormal(np.log(res_target * (2.2 if slow else 0.55)), 0.5))
                resolved = received + pd.Timedelta(hours=resolve_h)
                unresolved = rng.random() < (0.35 if slow else 0.06)
                now = pd.Timestamp(END) + pd.Timedelta(hours=18)
                if resolved > now:
                    unresolved = True
                if first_resp > now:
                    first_resp = None
                action_due = (received + pd.Timedelta(days=int(rng.integers(14, 45)))).date()
                verified = None
                if not unresolved and rng.random() < 0.7:
                    v = action_due + dt.timedelta(days=int(rng.integers(-10, 25)))
                    verified = v if v <= END else None
                complaints.append({
                    "complaint_id": f"QC-{complaint_no:05d}", "customer_id": c["customer_id"], "order_id": f"SO{order_no}",
                    "received_at": received.round("min"), "first_response_at": None if first_resp is None else first_resp.round("min"),
                    "resolved_at": None if unresolved else resolved.round("min"),
                    "category": cat, "severity": sev, "department": DEPARTMENTS[cat],
                    "status": "Open" if unresolved else "Closed", "root_cause": rng.choice(ROOT_CAUSES[cat]) if not unresolved or rng.random() < 0.5 else None,
                    "corrective_action": f"CAPA: {rng.choice(['supplier audit', '100% inspection for 3 lots', 'carton spec upgraded', 'packing checklist', 'document double-check', 'pick-to-light'])}",
                    "action_due_on": action_due, "action_verified_on": verified,
                    "owner": rng.choice(["Sun Qiang", "Ma Li", "Hu Jun", "Gao Ying", "Xu Tao"]),
                })
                complaint_no += 1
                # Unresolved or slow complaints drive customers away.
                if (unresolved and rng.random() < 0.55) or (slow and rng.random() < 0.3):
                    lapse_at = min(lapse_at, received.date() + dt.timedelta(days=int(rng.integers(30, 150))))
            day = day + dt.timedelta(days=max(5, int(rng.normal(gap, gap * 0.3))))

    orders_df = pd.DataFrame(orders).sort_values(["ordered_on", "order_id", "line_no"]).reset_index(drop=True)
    revenue_usd = {}
    for r in orders_df.itertuples():
        revenue_usd[r.customer_id] = revenue_usd.get(r.customer_id, 0) + r.amount * (1 if r.currency == "USD" else FX_BASE[r.currency])

    # CRM grades, typed by reps from memory: right for most, wrong for the hidden growers.
    ranked = sorted(revenue_usd, key=revenue_usd.get, reverse=True)
    grade = {cid: ("A" if i < len(ranked) * 0.1 else "B" if i < len(ranked) * 0.35 else "C") for i, cid in enumerate(ranked)}
    last_order = orders_df.groupby("customer_id").ordered_on.max().to_dict()
    for k, c in enumerate(customers):
        g = grade.get(c["customer_id"])
        if k in hidden_growers:
            g = "C"
            if rng.random() < 0.4:
                c["sales_rep"] = None
        c["segment"] = g if g and rng.random() > 0.08 else (None if rng.random() < 0.5 else "C")
        lo = last_order.get(c["customer_id"], c["created_on"])
        c["last_contact_on"] = min(END, lo + dt.timedelta(days=int(rng.integers(0, 40)))) if rng.random() > 0.1 else None
        stale = rng.random() < 0.25
        c["updated_on"] = c["created_on"] + dt.timedelta(days=int(rng.integers(0, 60))) if stale else \
            min(END, max(c["created_on"], lo) + dt.timedelta(days=int(rng.integers(0, 90))))

    # Duplicates: 40 customers typed in again under variant names; some orders land on the copy.
    dup_rows, truth = [], []
    dup_sources = [int(x) for x in rng.choice(np.arange(6, n_customers), size=40, replace=False)]
    for j, k in enumerate(dup_sources):
        c = customers[k]
        new_id = f"C{10001 + n_customers + j}"
        d = dict(c, customer_id=new_id, customer_name=_variant_name(rng, c["customer_name"]),
                 created_on=min(END, c["created_on"] + dt.timedelta(days=int(rng.integers(30, 400)))),
                 sales_rep=REPS[int(rng.integers(0, len(REPS)))], segment=None)
        evidence = int(rng.integers(0, 3))
        if evidence == 1:
            d["email"] = None
        if evidence == 2:
            d["phone"] = None
        dup_rows.append(d)
        truth.append({"customer_id": c["customer_id"], "duplicate_id": new_id, "original_name": c["customer_name"],
                      "duplicate_name": d["customer_name"]})
        mine = orders_df.index[orders_df.customer_id == c["customer_id"]]
        if len(mine) > 4:
            move = mine[-min(len(mine) // 3, 12):]
            orders_df.loc[move, "customer_id"] = new_id
    customers.extend(dup_rows)
    cust_df = pd.DataFrame(customers)
    pipe_df = pd.DataFrame(pipeline, columns=["customer_id", "stage", "happened_on"]).sort_values(["happened_on", "customer_id"])
    comp_df = pd.DataFrame(complaints)
    truth_df = pd.DataFrame(truth)
    return {"customers": cust_df, "orders": orders_df, "complaints": comp_df, "pipeline": pipe_df, "fx": fx,
            "truth_duplicates": truth_df}


CRM_HEADERS = {"customer_id": "客户编号", "customer_name": "客户名称", "country_written": "国家", "sales_region": "销售区域",
               "sales_rep": "业务员", "segment": "客户等级", "industry": "行业", "source_channel": "客户来源",
               "created_on": "建档日期", "updated_on": "更新日期", "last_contact_on": "最近联系日期", "email": "邮箱",
               "phone": "电话", "website": "网站"}


def write(out: Path) -> None:
    data = generate()
    out.mkdir(parents=True, exist_ok=True)
    crm = data["customers"][list(CRM_HEADERS)].rename(columns=CRM_HEADERS)
    # The CRM runs on Chinese Windows: GB18030, dates as 2024/3/5.
    for col in ("建档日期", "更新日期", "最近联系日期"):
        crm[col] = crm[col].map(lambda d: "" if d is None or d != d else f"{d.year}/{d.month}/{d.day}")
    buf = io.StringIO()
    crm.to_csv(buf, index=False, lineterminator="\r\n")
    (out / "crm_customers_客户.csv").write_bytes(buf.getvalue().encode("gb18030"))

    orders = data["orders"].rename(columns={"order_id": "Order No.", "line_no": "Line", "customer_id": "Customer ID",
                                            "ordered_on": "Order Date", "shipped_on": "Ship Date", "product": "Product",
                                            "category": "Category", "quantity": "Qty", "unit_price": "Unit Price",
                                            "amount": "Amount", "currency": "Currency"})
    orders.to_csv(out / "erp_order_lines.csv", index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)

    comp = data["complaints"].rename(columns={"complaint_id": "Complaint ID", "customer_id": "Customer ID", "order_id": "Order No.",
                                              "received_at": "Date Received", "first_response_at": "First Response",
                                              "resolved_at": "Date Closed", "category": "Category", "severity": "Severity",
                                              "department": "Department", "status": "Status", "root_cause": "Root Cause",
                                              "corrective_action": "Corrective Action", "action_due_on": "Action Due",
                                              "action_verified_on": "Verified On", "owner": "Owner"})
    with pd.ExcelWriter(out / "quality_complaints.xlsx", engine="xlsxwriter",
                        datetime_format="yyyy-mm-dd hh:mm", date_format="yyyy-mm-dd") as xw:
        xw.book.set_properties({"created": dt.datetime(2026, 11, 20, 18, 0, 0), "author": "QA"})
        comp.to_excel(xw, sheet_name="Complaints", index=False)
    data["pipeline"].rename(columns={"customer_id": "Customer ID", "stage": "Stage", "happened_on": "Date"}) \
        .to_csv(out / "crm_pipeline.csv", index=False, lineterminator="\n")
    data["fx"].to_csv(out / "fx_rates.csv", index=False, lineterminator="\n")
    # What the generator did on purpose, for tests; kept outside the import folder.
    truth = out.parent / "sample-truth"
    truth.mkdir(exist_ok=True)
    data["truth_duplicates"].to_csv(truth / "duplicates.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "data" / "sample")
