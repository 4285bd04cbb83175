"""The demo catalogue: brands, names, projects, comments. Everything here is invented.

Plain data, no logic. Any resemblance to real companies or people is accidental.
"""

from typing import NamedTuple

PASSWORD = "yardstick-demo"
EMAIL_DOMAIN = "example.com"
GIT_URL = "https://git.example.com"
WIKI_URL = "https://wiki.example.com"


class BrandEntry(NamedTuple):
    name: str
    country: str
    has_ds_team: bool


# The 19 brands of the everyday demo, in a fixed order. The group-scale
# reference dataset uses these and the extra brand(s) below.
DEMO_BRANDS: tuple[BrandEntry, ...] = (
    BrandEntry("Versmarkt", "NL", True),
    BrandEntry("Dagvers Online", "NL", True),
    BrandEntry("Polderhuis", "NL", True),
    BrandEntry("Bel Panier", "BE", True),
    BrandEntry("Marché Brabant", "BE", False),
    BrandEntry("Kornhaus", "DE", True),
    BrandEntry("Frischfeld", "DE", True),
    BrandEntry("Halle Verte", "FR", True),
    BrandEntry("Épicerie Lumière", "FR", False),
    BrandEntry("Potraviny Vltava", "CZ", True),
    BrandEntry("Zelený Košík", "CZ", False),
    BrandEntry("Piața Nouă", "RO", True),
    BrandEntry("Cămara Bună", "RO", False),
    BrandEntry("Agora Fresh", "GR", True),
    BrandEntry("Kalathi", "GR", False),
    BrandEntry("Mercado Atlântico", "PT", True),
    BrandEntry("Harvest Lane Market", "US", True),
    BrandEntry("PantryDash", "US", True),
    BrandEntry("Bluebird Drugstores", "US", True),
)
GROUP_EXTRA_BRANDS: tuple[BrandEntry, ...] = (BrandEntry("Tatra Market", "SK", True),)
ALL_BRANDS: tuple[BrandEntry, ...] = DEMO_BRANDS + GROUP_EXTRA_BRANDS


class NameBank(NamedTuple):
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    # Where surnames change with gender, the female forms, index-aligned with `surnames`.
    female_surnames: tuple[str, ...] = ()


def _bank(female: str, male: str, surnames: str, female_surnames: str = "") -> NameBank:
    """A name bank from comma-separated lists."""

    def split(text: str) -> tuple[str, ...]:
        return tuple(name.strip() for name in text.split(",") if name.strip())

    return NameBank(split(female), split(male), split(surnames), split(female_surnames))


NAMES: dict[str, NameBank] = {
    "NL": _bank(
        "Anna, Sanne, Lotte, Femke, Eva, Noor, Marloes, Ingrid, Esther",
        "Daan, Joris, Bram, Ruben, Thijs, Sem, Jeroen, Wouter, Maarten",
        "de Vries, Jansen, Bakker, Visser, Smit, Meijer, de Boer, Mulder, "
        "van Dijk, Bos, Verbeek, Hendriks, Kramer, van Leeuwen",
    ),
    "BE": _bank(
        "Lien, Elise, Camille, Marie, Louise, Hanne, Margot",
        "Wout, Pieter, Jonas, Arne, Thomas, Matthias, Simon",
        "Peeters, Janssens, Maes, Jacobs, Claes, Wouters, Dubois, Lambert, Goossens, Willems",
    ),
    "DE": _bank(
        "Lena, Mia, Hannah, Clara, Sophie, Johanna, Katrin",
        "Jonas, Felix, Lukas, Paul, Maximilian, Tobias, Stefan",
        "Müller, Schmidt, Schneider, Fischer, Weber, Becker, Hoffmann, Wagner, Koch, Richter",
    ),
    "FR": _bank(
        "Chloé, Manon, Léa, Camille, Inès, Pauline, Claire",
        "Louis, Hugo, Julien, Antoine, Mathieu, Nicolas, Théo",
        "Martin, Bernard, Moreau, Laurent, Girard, Rousseau, Fontaine, Mercier, Lefèvre, Garnier",
    ),
    "CZ": _bank(
        "Tereza, Kateřina, Lucie, Veronika, Barbora, Eliška, Markéta",
        "Jakub, Tomáš, Martin, Ondřej, Petr, Lukáš, Vojtěch",
        "Novák, Svoboda, Dvořák, Černý, Procházka, Kučera, Veselý, Horák",
        "Nováková, Svobodová, Dvořáková, Černá, Procházková, Kučerová, Veselá, Horáková",
    ),
    "SK": _bank(
        "Zuzana, Martina, Simona, Lenka, Monika, Jana",
        "Peter, Michal, Juraj, Marek, Matej, Rastislav",
        "Horváth, Kováč, Varga, Tóth, Nagy, Baláž, Molnár, Šimko",
        "Horváthová, Kováčová, Vargová, Tóthová, Nagyová, Balážová, Molnárová, Šimková",
    ),
    "RO": _bank(
        "Ioana, Andreea, Elena, Maria, Cristina, Raluca, Bianca",
        "Andrei, Mihai, Alexandru, Ștefan, Radu, Vlad, Bogdan",
        "Popescu, Ionescu, Dumitrescu, Stan, Marin, Constantin, Georgescu, Stoica, Munteanu",
    ),
    "GR": _bank(
        "Eleni, Maria, Katerina, Sofia, Dimitra, Georgia, Anna",
        "Giorgos, Nikos, Kostas, Dimitris, Yannis, Panagiotis, Christos",
        "Papadopoulos, Nikolaidis, Georgiou, Konstantinidis, Ioannou, "
        "Karagiannis, Vlachos, Dimitriou",
        "Papadopoulou, Nikolaidou, Georgiou, Konstantinidou, Ioannou, "
        "Karagianni, Vlachou, Dimitriou",
    ),
    "PT": _bank(
        "Beatriz, Inês, Mariana, Catarina, Ana, Rita, Joana",
        "João, Tiago, Miguel, Pedro, Rui, Diogo, Nuno",
        "Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Sousa, Almeida",
    ),
    "US": _bank(
        "Emily, Sarah, Jessica, Megan, Rachel, Olivia, Grace",
        "Michael, Ryan, Kevin, Brian, Jason, Daniel, Tyler",
        "Johnson, Miller, Davis, Garcia, Wilson, Anderson, Moore, "
        "Clark, Lewis, Walker, Young, Turner",
    ),
}
# The central data-science and MLOps team (group roles, and the data scientists
# who serve brands without their own team) sits at the group's head office.
CENTRAL_TEAM_COUNTRY = "NL"


class ProductLineEntry(NamedTuple):
    name: str
    description: str


PRODUCT_LINES: tuple[ProductLineEntry, ...] = (
    ProductLineEntry("Cross-sell", "Recommends products that complement what is in the basket."),
    ProductLineEntry(
        "Demand forecast", "Forecasts sales per store or channel to drive ordering and planning."
    ),
    ProductLineEntry(
        "Personalised offers", "Chooses the promotions each loyalty customer gets to see."
    ),
    ProductLineEntry(
        "Churn prediction", "Predicts which customers are about to stop shopping with the brand."
    ),
    ProductLineEntry(
        "Assortment optimisation", "Decides which products each store or channel should carry."
    ),
    ProductLineEntry(
        "Search ranking", "Orders search and category results in the web shop and app."
    ),
    ProductLineEntry(
        "Price elasticity", "Estimates how demand responds to price to support pricing decisions."
    ),
)


class ProjectEntry(NamedTuple):
    name: str
    product_line: str | None
    kind: str  # batch / realtime / both
    criticality: str  # low / medium / high
    description: str  # may use {brand}


# fmt: off
PROJECTS: tuple[ProjectEntry, ...] = (
    # Cross-sell
    ProjectEntry("Cross-sell API", "Cross-sell", "realtime", "high",
        "Recommends complementary products in the basket of the {brand} app and web shop."),
    ProjectEntry("Checkout cross-sell", "Cross-sell", "realtime", "medium",
        "Suggests last-minute add-ons on the checkout page based on the current basket."),
    ProjectEntry("Cross-sell e-mail picks", "Cross-sell", "batch", "low",
        "Selects complementary products for the weekly {brand} newsletter."),
    ProjectEntry("Frequently bought together", "Cross-sell", "both", "medium",
        "Computes product pairs nightly and serves them on product pages."),
    ProjectEntry("Recipe-based cross-sell", "Cross-sell", "realtime", "low",
        "Proposes missing ingredients when a customer adds a recipe to the basket."),
    # Demand forecast
    ProjectEntry("Demand forecast", "Demand forecast", "batch", "high",
        "Forecasts daily sales per store and item to drive automatic replenishment."),
    ProjectEntry("Fresh produce forecast", "Demand forecast", "batch", "high",
        "Predicts daily demand for fruit, vegetables and other short-life items per store."),
    ProjectEntry("Distribution centre forecast", "Demand forecast", "batch", "high",
        "Forecasts weekly outbound volumes per distribution centre for purchasing and labour."),
    ProjectEntry("Promotion uplift forecast", "Demand forecast", "batch", "medium",
        "Estimates the extra sales of planned promotions so that stores are stocked in time."),
    ProjectEntry("Online order forecast", "Demand forecast", "batch", "medium",
        "Forecasts the number of online orders per delivery slot and hub."),
    ProjectEntry("Bake-off planner", "Demand forecast", "batch", "medium",
        "Plans in-store baking quantities per hour to cut waste and empty shelves."),
    ProjectEntry("New store forecast", "Demand forecast", "batch", "low",
        "Predicts the sales of stores opening next year from comparable existing stores."),
    # Personalised offers
    ProjectEntry("Personalised offers", "Personalised offers", "batch", "high",
        "Chooses each loyalty customer's weekly personal offers within the promotion budget."),
    ProjectEntry("Loyalty coupon targeting", "Personalised offers", "batch", "medium",
        "Decides which loyalty members receive printed and digital coupons each month."),
    ProjectEntry("Next-best offer API", "Personalised offers", "realtime", "high",
        "Serves the best offer for a customer at the moment they open the {brand} app."),
    ProjectEntry("Push notification timing", "Personalised offers", "both", "low",
        "Predicts when each app user is most likely to open a push notification."),
    ProjectEntry("Offer budget allocation", "Personalised offers", "batch", "medium",
        "Splits the monthly offer budget across categories and customer segments."),
    # Churn prediction
    ProjectEntry("Churn prediction", "Churn prediction", "batch", "medium",
        "Scores loyalty customers weekly on their risk of no longer shopping at {brand}."),
    ProjectEntry("Subscription churn score", "Churn prediction", "batch", "medium",
        "Predicts which delivery-pass subscribers will cancel within the next month."),
    ProjectEntry("Win-back targeting", "Churn prediction", "batch", "low",
        "Selects lapsed customers for win-back campaigns and picks their incentive."),
    ProjectEntry("Churn early warning", "Churn prediction", "both", "medium",
        "Flags customers whose shopping suddenly drops, in time for customer service to act."),
    # Assortment optimisation
    ProjectEntry("Assortment optimisation", "Assortment optimisation", "batch", "medium",
        "Recommends which items each store should carry given its shoppers and shelf space."),
    ProjectEntry("Shelf space allocation", "Assortment optimisation", "batch", "medium",
        "Allocates facings per item on planograms to balance sales and out-of-stocks."),
    ProjectEntry("Local assortment advisor", "Assortment optimisation", "batch", "low",
        "Proposes regional and local products that fit each store's neighbourhood."),
    ProjectEntry("Delisting candidates", "Assortment optimisation", "batch", "low",
        "Identifies slow-moving items whose removal would lose the least sales."),
    ProjectEntry("Private label gap finder", "Assortment optimisation", "batch", "low",
        "Finds categories where a private-label product is missing or underperforms."),
    # Search ranking
    ProjectEntry("Search ranking", "Search ranking", "realtime", "high",
        "Ranks products for search queries in the {brand} web shop and app."),
    ProjectEntry("Query autocomplete", "Search ranking", "realtime", "medium",
        "Suggests search queries as customers type, learning from past searches."),
    ProjectEntry("Search synonyms miner", "Search ranking", "batch", "low",
        "Mines search logs for synonyms and spelling variants that return no results."),
    ProjectEntry("Category page ranking", "Search ranking", "both", "medium",
        "Orders products on category pages by predicted relevance and margin."),
    ProjectEntry("Zero-results rescue", "Search ranking", "realtime", "low",
        "Proposes alternative products when a search would return nothing."),
    # Price elasticity
    ProjectEntry("Price elasticity", "Price elasticity", "batch", "high",
        "Estimates how sales of each item respond to price changes to support pricing."),
    ProjectEntry("Markdown optimisation", "Price elasticity", "batch", "medium",
        "Sets end-of-day and end-of-season discounts to sell through stock profitably."),
    ProjectEntry("Competitor price response", "Price elasticity", "batch", "medium",
        "Predicts the sales impact of competitor price changes on key-value items."),
    ProjectEntry("Dynamic delivery fees", "Price elasticity", "realtime", "medium",
        "Sets delivery fees per slot to spread orders more evenly over the day."),
    ProjectEntry("Promotion depth advisor", "Price elasticity", "batch", "low",
        "Recommends the discount depth of promotions from past elasticity estimates."),
    # Outside the product lines
    ProjectEntry("Store staffing forecast", None, "batch", "medium",
        "Forecasts checkout and shelf-filling workload per store and hour for rosters."),
    ProjectEntry("Checkout fraud detection", None, "realtime", "high",
        "Scores online payments for fraud risk before the order is accepted."),
    ProjectEntry("Product image tagging", None, "batch", "low",
        "Tags product images with attributes such as colour, packaging and diet labels."),
    ProjectEntry("Customer lifetime value", None, "batch", "medium",
        "Estimates the future value of each loyalty customer for marketing budgets."),
    ProjectEntry("Delivery slot demand", None, "batch", "medium",
        "Predicts demand per delivery slot so that extra capacity is opened in time."),
    ProjectEntry("Substitution suggestions", None, "realtime", "medium",
        "Proposes replacements for out-of-stock items while online orders are picked."),
    ProjectEntry("Recipe recommendations", None, "realtime", "low",
        "Recommends recipes in the {brand} app from purchase history and current offers."),
    ProjectEntry("Review sentiment", None, "batch", "low",
        "Classifies product reviews by sentiment and topic for category managers."),
    ProjectEntry("Supplier lead-time prediction", None, "batch", "medium",
        "Predicts supplier delivery delays so that orders can be placed earlier."),
    ProjectEntry("Shelf gap detection", None, "both", "medium",
        "Detects empty shelves in store camera images and alerts store staff."),
    ProjectEntry("Customer segmentation", None, "batch", "low",
        "Groups loyalty customers into shopper segments, refreshed every month."),
    ProjectEntry("Waste prediction", None, "batch", "medium",
        "Predicts which items will expire unsold so that they can be discounted or donated."),
    ProjectEntry("Delivery route optimisation", None, "batch", "medium",
        "Plans delivery van routes and stop sequences for the next day."),
    ProjectEntry("Address validation", None, "realtime", "low",
        "Checks and corrects delivery addresses while customers type them."),
    ProjectEntry("Chatbot intent classifier", None, "realtime", "medium",
        "Classifies customer service chat messages so they reach the right answer or agent."),
    ProjectEntry("Product data quality checker", None, "batch", "low",
        "Finds inconsistent or missing product attributes in the item master data."),
    ProjectEntry("Store energy forecast", None, "batch", "low",
        "Forecasts the electricity use of refrigeration and lighting per store."),
    ProjectEntry("Ticket routing", None, "realtime", "low",
        "Routes incoming customer service e-mails to the right team."),
    ProjectEntry("Returns prediction", None, "both", "medium",
        "Predicts the chance that an online order line will be returned."),
    ProjectEntry("Store footfall forecast", None, "batch", "medium",
        "Forecasts visitors per store and day from history, weather and local events."),
    ProjectEntry("Invoice matching", None, "batch", "low",
        "Matches supplier invoices to deliveries and flags mismatches for review."),
    ProjectEntry("Basket size prediction", None, "batch", "low",
        "Predicts the size of upcoming online orders to plan picking and crates."),
    ProjectEntry("Click-and-collect wait time", None, "realtime", "low",
        "Predicts the pick-up waiting time shown when a customer chooses a slot."),
    ProjectEntry("Shopper mission detection", None, "realtime", "low",
        "Detects the mission of a web session (weekly shop, quick top-up) to tailor pages."),
    ProjectEntry("Out-of-stock prediction", None, "batch", "high",
        "Predicts items at risk of running out before the next delivery arrives."),
    ProjectEntry("Product embedding service", None, "both", "medium",
        "Learns product embeddings from baskets and serves them to other models."),
    ProjectEntry("Promotion cannibalisation", None, "batch", "low",
        "Estimates the sales lost on related items while a product is on promotion."),
    ProjectEntry("Gift card abuse detection", None, "batch", "medium",
        "Detects suspicious gift card activations and redemptions."),
    ProjectEntry("Store clustering", None, "batch", "low",
        "Clusters stores by shopper profile and size for assortment and pricing decisions."),
    ProjectEntry("Weather demand adjuster", None, "batch", "medium",
        "Adjusts short-term forecasts of weather-sensitive categories such as ice cream."),
)
# fmt: on
# When a brand needs more projects than the catalogue holds, names get a scope.
PROJECT_SCOPES: tuple[str, ...] = ("online", "express stores", "hypermarkets", "pilot region")


# --- Answers ---------------------------------------------------------------------------------
# Comments by section and by how well the statement is met ("yes", "partly", "no").
# Sections of other question sets fall back to GENERIC_COMMENTS.
GENERIC_COMMENTS: dict[str, tuple[str, ...]] = {
    "yes": (
        "In place and shown during the call.",
        "Done as part of the move to the golden-path template.",
        "Confirmed by the team; link added.",
        "Standard practice in the team for a while now.",
        "Yes, reviewed together with the platform team last month.",
    ),
    "partly": (
        "Exists but is out of date.",
        "Only for the main model, not for the fallback rules.",
        "Started; finishing it is on the roadmap for next quarter.",
        "Done by hand, not automated yet.",
        "Depends on one person; needs to be shared more widely.",
    ),
    "no": (
        "Not yet; planned for next quarter.",
        "Not prioritised; the team is busy with the new brand launch.",
        "Waiting for the golden-path template from the central team.",
        "Nobody owns this at the moment.",
        "Known gap, on the improvement plan.",
    ),
}
SECTION_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "documentation": {
        "yes": (
            "README and wiki page were reviewed by the business owner.",
            "Model card is regenerated on every retraining.",
            "Architecture diagram updated after the move to the new scheduler.",
        ),
        "partly": (
            "Written down, but last updated before the current model version.",
            "Only in a slide deck, not next to the code.",
            "Covers training but not how the output is consumed.",
        ),
        "no": (
            "Knowledge sits with the original developer.",
            "Documentation was lost in the wiki migration.",
            "Template from the central team not used yet.",
        ),
    },
    "traceability": {
        "yes": (
            "Every release tag links commit, model artifact and training snapshot.",
            "Models registered in the registry with their training run.",
            "Infrastructure is defined in Terraform in the same repository.",
        ),
        "partly": (
            "Artifacts are versioned, but the training data is not snapshotted.",
            "Deployment is scripted but started by hand.",
            "Rollback works in principle, never rehearsed.",
        ),
        "no": (
            "Model files are copied to the server by hand.",
            "No way to tell which data trained the model in production.",
            "Only one environment; changes go straight to production.",
        ),
    },
    "code-quality": {
        "yes": (
            "All changes go through merge requests with review.",
            "Unit tests run in CI on every push.",
            "Configuration moved out of the code into YAML files.",
        ),
        "partly": (
            "Tests exist for the feature code, not for the training pipeline.",
            "CI runs linting only.",
            "Review happens, but not for notebooks.",
        ),
        "no": (
            "Most logic still lives in notebooks.",
            "No automated tests yet.",
            "Pipeline cannot be run end to end outside production.",
        ),
    },
    "monitoring": {
        "yes": (
            "Dashboard with accuracy and drift per week; alerts go to the team channel.",
            "On-call rota agreed with the platform team.",
            "Business KPI tracked next to model metrics.",
        ),
        "partly": (
            "Metrics are collected, but nobody looks at them regularly.",
            "Alerts exist for job failures, not for bad output.",
            "Drift is checked manually once a month.",
        ),
        "no": (
            "Problems are found when a store manager complains.",
            "No monitoring beyond the scheduler's own logs.",
            "Nobody is named as owner in production.",
        ),
    },
    "data-pipelines": {
        "yes": (
            "Input checks run before every training and scoring run.",
            "Features come from the shared feature store.",
            "Data contract agreed with the upstream team.",
        ),
        "partly": (
            "Some checks, mainly row counts.",
            "Backfills are possible but take a day of manual work.",
            "Access is restricted, but the rights are not reviewed.",
        ),
        "no": (
            "Upstream changes have broken the model twice this year.",
            "Features are recomputed in every project.",
            "No checks on the input data at all.",
        ),
    },
    "explainability": {
        "yes": (
            "Feature importances are reviewed with the category managers.",
            "SHAP explanations available for single predictions.",
            "Results checked per store format and region.",
        ),
        "partly": (
            "Global importance only; single predictions cannot be explained.",
            "Explained once at launch, not after retraining.",
            "Segment checks done ad hoc.",
        ),
        "no": (
            "Model treated as a black box by the business.",
            "No fairness review done so far.",
            "Not discussed with stakeholders yet.",
        ),
    },
    "experimentation": {
        "yes": (
            "Experiments tracked in MLflow with parameters and metrics.",
            "A/B test framework used for every model change.",
            "Retraining runs automatically every week.",
        ),
        "partly": (
            "Offline evaluation exists, but no online test.",
            "Baseline defined, but not compared on every change.",
            "Retraining scheduled, but promoted by hand.",
        ),
        "no": (
            "Model changes go live without a comparison.",
            "No baseline to compare the model against.",
            "Retrained only when someone remembers to.",
        ),
    },
}
# Comments written when an answer moved since the previous assessment.
IMPROVED_COMMENTS: tuple[str, ...] = (
    "Improved since last quarter.",
    "New since the last assessment.",
    "Fixed after the last review.",
    "Implemented with the golden-path template.",
)
WORSENED_COMMENTS: tuple[str, ...] = (
    "Lapsed after the team changed.",
    "Broke during the platform migration.",
    "Was in place, but no longer maintained.",
)
INTERVIEWER_NOTES: tuple[str, ...] = (
    "Team will send the link after the call.",
    "Answer given with some hesitation; check again next time.",
    "Follow up with the platform team.",
    "Respondent and lead disagreed; recorded the lead's view.",
    "Good example for other brands.",
)

# Questions that are often not applicable, with the reasons given; other
# questions are N/A only rarely, with a generic reason.
NA_REASONS: dict[str, tuple[str, ...]] = {
    "xai-customer-facing": (
        "Output is only used internally; customers never see it.",
        "No customer-facing decisions are made by this model.",
    ),
    "xai-fairness": (
        "The model uses no personal data.",
        "Works at store-item level; no individuals are affected.",
    ),
    "doc-privacy": ("No personal data is processed.",),
    "exp-online-test": (
        "An online test is not possible: every store needs an order.",
        "Too little traffic to run a meaningful A/B test.",
    ),
    "exp-feedback-bias": ("Outcomes are observed independently of the model's output.",),
    "data-feature-reuse": ("Only project-specific inputs; nothing to share.",),
    "data-backfill": ("History is never recomputed; inputs are append-only.",),
    "code-shared-libs": ("Single small script; a shared library would not help.",),
}
GENERIC_NA_REASONS: tuple[str, ...] = (
    "Does not apply to how this model is used.",
    "Covered by the platform team, outside this project.",
    "Not relevant at the current stage of the project.",
)

# Evidence links by section: "git:<path>" or "wiki:<page>", completed with
# the brand's and the project's slugs.
EVIDENCE: dict[str, tuple[str, ...]] = {
    "documentation": (
        "wiki:overview",
        "wiki:model-card",
        "wiki:architecture",
        "wiki:data-sources",
        "wiki:runbook",
        "git:-/blob/main/README.md",
    ),
    "traceability": (
        "git:-/tree/main/infra",
        "git:-/releases",
        "wiki:model-registry",
        "git:-/blob/main/uv.lock",
        "git:-/pipelines",
    ),
    "code-quality": (
        "git:-/blob/main/.gitlab-ci.yml",
        "git:-/tree/main/tests",
        "git:-/merge_requests",
        "git:-/blob/main/pyproject.toml",
    ),
    "monitoring": ("wiki:monitoring", "wiki:alerts", "wiki:on-call", "wiki:incident-log"),
    "data-pipelines": (
        "git:-/tree/main/pipelines",
        "git:-/tree/main/data_checks",
        "wiki:data-contract",
    ),
    "explainability": ("wiki:explainability", "wiki:fairness-review", "wiki:segment-analysis"),
    "experimentation": ("wiki:experiments", "git:-/tree/main/evaluation", "wiki:ab-tests"),
}
GENERIC_EVIDENCE: tuple[str, ...] = ("wiki:overview", "git:-/tree/main")
