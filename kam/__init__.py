"""KAM: key account management for B2B sales teams (大客户销售管理系统)."""

__version__ = "0.1.0"
