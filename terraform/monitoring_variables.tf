# Variables of the alerts, the budget and the analytics dataset (monitoring.tf, analytics.tf).
variable "alert_email" {
  description = "Email address of the operator who receives ZapDoc alerts and budget notifications."
  type        = string

  validation {
    condition     = can(regex("^[^@ ]+@[^@ ]+$", var.alert_email))
    error_message = "alert_email must be an email address."
  }
}

variable "billing_account" {
  description = "Billing account id (XXXXXX-XXXXXX-XXXXXX) the budget watches; the deployer needs Billing Account Costs Manager on it."
  type        = string
}

variable "monthly_budget" {
  description = "Monthly budget of the project in budget_currency; notified at 50 % and 90 % spent and 100 % forecast."
  type        = number
  default     = 100
}

variable "budget_currency" {
  description = "Currency of monthly_budget (the billing account's currency)."
  type        = string
  default     = "USD"
}

variable "llm_daily_spend_usd" {
  description = "Alert when the estimated LLM cost of the last 24 hours goes above this many USD."
  type        = number
  default     = 20
}

variable "function_error_rate" {
  description = "Alert when a function's share of 5xx answers over 10 minutes stays above this (0-1)."
  type        = number
  default     = 0.05

  validation {
    condition     = var.function_error_rate > 0 && var.function_error_rate < 1
    error_message = "function_error_rate must be between 0 and 1."
  }
}

variable "rejections_per_hour" {
  description = "Alert when more jobs than this are rejected at intake (not enough credits) within an hour."
  type        = number
  default     = 20
}

variable "analytics_location" {
  description = "BigQuery location of the analytics dataset (EU, US or a region)."
  type        = string
  default     = "EU"
}

variable "analytics_retention_days" {
  description = "Days an analytics row is kept in BigQuery (partition expiry)."
  type        = number
  default     = 400
}
