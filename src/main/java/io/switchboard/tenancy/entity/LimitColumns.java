package io.switchboard.tenancy.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The six limit columns a key has for itself and a tenant has for each of its end users (V6__quotas.sql). */
@Embeddable
public class LimitColumns {

    @Column(name = "rpm_limit")
    private Integer rpmLimit;

    @Column(name = "tpm_limit")
    private Long tpmLimit;

    @Column(name = "max_concurrency")
    private Integer maxConcurrency;

    @Column(name = "daily_token_budget")
    private Long dailyTokenBudget;

    @Column(name = "monthly_token_budget")
    private Long monthlyTokenBudget;

    @Column(name = "monthly_spend_limit", precision = 14, scale = 4)
    private BigDecimal monthlySpendLimit;

    public Limits toLimits() {
        return new Limits(rpmLimit, tpmLimit, maxConcurrency, dailyTokenBudget, monthlyTokenBudget, micros(monthlySpendLimit));
    }

    public static Long micros(BigDecimal amount) {
        return amount == null ? null : amount.movePointRight(6).setScale(0, RoundingMode.DOWN).longValueExact();
    }

    public Integer getRpmLimit() { return rpmLimit; }
    public void setRpmLimit(Integer value) { this.rpmLimit = value; }
    public Long getTpmLimit() { return tpmLimit; }
    public void setTpmLimit(Long value) { this.tpmLimit = value; }
    public Integer getMaxConcurrency() { return maxConcurrency; }
    public void setMaxConcurrency(Integer value) { this.maxConcurrency = value; }
    public Long getDailyTokenBudget() { return dailyTokenBudget; }
    public void setDailyTokenBudget(Long value) { this.dailyTokenBudget = value; }
    public Long getMonthlyTokenBudget() { return monthlyTokenBudget; }
    public void setMonthlyTokenBudget(Long value) { this.monthlyTokenBudget = value; }
    public BigDecimal getMonthlySpendLimit() { return monthlySpendLimit; }
    public void setMonthlySpendLimit(BigDecimal value) { this.monthlySpendLimit = value; }
}
