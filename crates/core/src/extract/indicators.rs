//! The macro indicators: canonical code, canonical Chinese name, and the ways reports write
//! them. Near misses that contain an alias but mean something else map to no indicator.

use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

/// One macro indicator. Adding one is adding a row here (and a sentence to the tests).
pub struct Indicator {
    /// The canonical code (`indicators.indicator`).
    pub code: &'static str,
    /// The canonical Chinese name (`indicators.indicator_name`).
    pub name: &'static str,
    /// How reports write it; the longest alias a subject contains names it.
    pub aliases: &'static [&'static str],
    /// The base units a level of it is written in: a sum of money, a rate, a number of people.
    /// Counts (个, 项, 家) never are: `五项指标` names indicators without being one.
    pub levels: &'static [&'static str],
    /// Whether a growth of it is read (a rate of unemployment has a level only). For an
    /// indicator whose level is a rate (the CPI, written as its rise: 居民消费价格上涨0.9%),
    /// the rate is its value.
    pub grows: bool,
}

const MONEY: &[&str] = &["元", "美元"];
const RATE: &[&str] = &["%", "百分点"];

pub const INDICATORS: &[Indicator] = &[
    Indicator {
        code: "gdp",
        name: "地区生产总值",
        aliases: &[
            "地区生产总值",
            "生产总值",
            "GDP",
            "经济总量",
            "全市生产总值",
            "全区生产总值",
            "全县生产总值",
            "全省生产总值",
            "国内生产毛额",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "industrial_value_added",
        name: "规模以上工业增加值",
        aliases: &[
            "规模以上工业增加值",
            "规上工业增加值",
            "规模工业增加值",
            "工业增加值",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "fixed_asset_investment",
        name: "固定资产投资",
        aliases: &["固定资产投资", "固投"],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "retail_sales",
        name: "社会消费品零售总额",
        aliases: &[
            "社会消费品零售总额",
            "社会消费品零售额",
            "社零额",
            "社零总额",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "general_budget_revenue",
        name: "一般公共预算收入",
        aliases: &[
            "一般公共预算收入",
            "地方一般公共预算收入",
            "一般公共预算区级收入",
            "一般公共预算县级收入",
            "一般公共预算市级收入",
            "公共财政预算收入",
            "地方公共财政预算收入",
            "一般预算收入",
            "财政一般预算收入",
            "地方财政一般预算收入",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "trade_total",
        name: "进出口总额",
        aliases: &[
            "进出口总额",
            "外贸进出口总额",
            "进出口总值",
            "外贸进出口总值",
            "外贸进出口",
            "进出口",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "urban_disposable_income",
        name: "城镇居民人均可支配收入",
        aliases: &[
            "城镇居民人均可支配收入",
            "城镇常住居民人均可支配收入",
            "城镇居民可支配收入",
            "城镇居民收入",
            "城镇常住居民收入",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "rural_disposable_income",
        name: "农村居民人均可支配收入",
        aliases: &[
            "农村居民人均可支配收入",
            "农村常住居民人均可支配收入",
            "农民人均可支配收入",
            "农村居民可支配收入",
            "农民人均纯收入",
            "农村居民收入",
            "农村常住居民收入",
            "农民人均收入",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "disposable_income",
        name: "居民人均可支配收入",
        aliases: &[
            "居民人均可支配收入",
            "全体居民人均可支配收入",
            "全体居民可支配收入",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "foreign_investment_utilized",
        name: "实际利用外资",
        aliases: &[
            "实际利用外资",
            "实际使用外资",
            "实际利用外商直接投资",
            "实际使用外商直接投资",
            "实际到位外资",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "domestic_investment_in_place",
        name: "实际到位内资",
        aliases: &[
            "实际到位内资",
            "引进国内实际到位资金",
            "国内实际到位资金",
            "引进内资",
            "到位内资",
        ],
        levels: MONEY,
        grows: true,
    },
    Indicator {
        code: "urban_unemployment_rate",
        name: "城镇调查失业率",
        aliases: &["城镇调查失业率", "调查失业率"],
        levels: RATE,
        grows: false,
    },
    // the older, registered series: never folded into the surveyed rate
    Indicator {
        code: "registered_unemployment_rate",
        name: "城镇登记失业率",
        aliases: &["城镇登记失业率", "登记失业率"],
        levels: RATE,
        grows: false,
    },
    Indicator {
        code: "new_urban_jobs",
        name: "城镇新增就业",
        aliases: &["城镇新增就业", "新增城镇就业", "新增就业"],
        levels: &["人"],
        grows: true,
    },
    Indicator {
        code: "cpi",
        name: "居民消费价格涨幅",
        aliases: &[
            "居民消费价格涨幅",
            "居民消费价格指数",
            "居民消费价格",
            "CPI",
            "消费者物价指数",
        ],
        levels: RATE,
        grows: true,
    },
];

/// Longer phrases that contain an alias but are other quantities.
pub const NEAR_MISSES: &[&str] = &[
    "工业总产值",
    "海洋生产总值",
    "旅游总收入",
    "跨境电商进出口",
    "外贸出口总额",
    "出口总额",
    "进口总额",
    "一般公共预算支出",
    "财政收入",
    "总投资",
    "数字经济增加值",
    "服务业增加值",
    "农业增加值",
    "建筑业增加值",
    "生产总值能耗",
    "生产总值的比重",
    "生产总值比重",
    "进出口企业",
    "财政总收入",
    // per head and per unit of output: other quantities
    "人均生产总值",
    "人均地区生产总值",
    "人均国内生产总值",
    "人均GDP",
    "GDP能耗",
    "万元GDP",
    "单位GDP",
    "单位国内生产总值",
    "单位地区生产总值",
    "单位生产总值",
    "万元地区生产总值",
    "万元生产总值",
    "单位国内生产毛额",
];

struct Table {
    ac: AhoCorasick,
    /// pattern index → indicator index (None for a near miss)
    target: Vec<Option<usize>>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut pats = Vec::new();
        let mut target = Vec::new();
        for (i, ind) in INDICATORS.iter().enumerate() {
            for a in ind.aliases {
                pats.push(*a);
                target.push(Some(i));
            }
        }
        for n in NEAR_MISSES {
            pats.push(*n);
            target.push(None);
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&pats)
            .expect("indicator aliases");
        Table { ac, target }
    })
}

/// The indicator a subject phrase names: the last alias in it wins (`全年完成地区生产总值`),
/// unless that last match is a near miss.
pub fn lookup(subject: &str) -> Option<(&'static str, &'static str)> {
    let t = table();
    let last = t.ac.find_iter(subject).last()?;
    let i = t.target[last.pattern().as_usize()]?;
    Some((INDICATORS[i].code, INDICATORS[i].name))
}

/// Can a quantity in `base_unit` (a growth rate when `growth`) be a value of this indicator?
pub fn fits(code: &str, base_unit: &str, growth: bool) -> bool {
    entry(code).is_some_and(|i| {
        if growth {
            i.grows
        } else {
            i.levels.contains(&base_unit)
        }
    })
}

/// Is this indicator a rate that is reported by its rise (`上涨0.9%`), the rise its value?
pub fn rate_valued(code: &str) -> bool {
    entry(code).is_some_and(|i| i.grows && i.levels == RATE)
}

/// The row of INDICATORS with this code.
fn entry(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

/// The table of codes, names and aliases as the README shows it (a test keeps them equal).
pub fn markdown() -> String {
    let mut out = String::from("| code | name | written as |\n|---|---|---|\n");
    for i in INDICATORS {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            i.code,
            i.name,
            i.aliases.join("、")
        ));
    }
    out
}

pub fn by_code(code: &str) -> Option<(&'static str, &'static str)> {
    entry(code).map(|i| (i.code, i.name))
}

#[cfg(test)]
mod tests {
    use super::lookup;

    #[test]
    fn aliases_and_near_misses() {
        assert_eq!(lookup("全年完成地区生产总值").map(|x| x.0), Some("gdp"));
        assert_eq!(
            lookup("规上工业增加值").map(|x| x.0),
            Some("industrial_value_added")
        );
        assert_eq!(
            lookup("一般公共预算区级收入").map(|x| x.0),
            Some("general_budget_revenue")
        );
        assert_eq!(
            lookup("引进国内实际到位资金").map(|x| x.0),
            Some("domestic_investment_in_place")
        );
        assert_eq!(lookup("gdp").map(|x| x.0), Some("gdp"));
        assert_eq!(
            lookup("城镇登记失业率").map(|x| x.0),
            Some("registered_unemployment_rate")
        );
        assert_eq!(
            lookup("城镇调查失业率").map(|x| x.0),
            Some("urban_unemployment_rate")
        );
        assert_eq!(lookup("外贸进出口").map(|x| x.0), Some("trade_total"));
        assert_eq!(lookup("进出口").map(|x| x.0), Some("trade_total"));
        assert_eq!(
            lookup("财政一般预算收入").map(|x| x.0),
            Some("general_budget_revenue")
        );
        assert_eq!(
            lookup("农村居民收入").map(|x| x.0),
            Some("rural_disposable_income")
        );
        for miss in [
            "规上工业企业总产值",
            "海洋生产总值",
            "跨境电商进出口",
            "外贸出口总额",
            "财政收入",
            "一般公共预算支出",
            "项目总投资",
            "跨境电商进出口额",
            "财政总收入",
            "人均生产总值",
            "万元GDP能耗",
            "单位国内生产总值二氧化碳排放",
        ] {
            assert_eq!(lookup(miss), None, "{miss}");
        }
    }
}
