"""The dashboards' data: filters from the query string, and one selector per dashboard.

Figures come from scoring's selectors (scoring.selectors.dashboard); nothing
here computes a score.
"""

from reports.dashboards.brand import BrandDashboard, brand_dashboard_data
from reports.dashboards.filters import DashboardFilters, Quarter
from reports.dashboards.group import GroupDashboard, group_dashboard_data

__all__ = [
    "BrandDashboard",
    "DashboardFilters",
    "GroupDashboard",
    "Quarter",
    "brand_dashboard_data",
    "group_dashboard_data",
]
