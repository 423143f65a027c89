"""A small scorecard the end-to-end tests load: every feature, few enough items to reason about."""

SAMPLE_SCORECARD = """\
workspace: T0DEMO
name: Vitality community scorecard
mission: Members trust us to help them live healthier, and buy again because of it.
timezone: Europe/Amsterdam
perspectives:
  - {key: financial, name: Financial}
  - {key: customer, name: Customer}
  - {key: community, name: Community}
  - {key: learning, name: Learning & growth}
objectives:
  - key: revenue
    title: Grow repeat revenue
    perspective: financial
    owner: U0EXEC
  - key: loyalty
    title: Keep members loyal
    perspective: customer
    owner: U0LEAD
    supports: [revenue]
  - key: fast_answers
    title: Answer product questions within 2 hours
    perspective: community
    owner: U0COMMUNITY
    supports: [loyalty]
  - key: trained_pms
    title: Product managers fluent in social media
    perspective: learning
    owner: U0LEAD
    supports: [fast_answers]
kpis:
  - {key: instagram_followers, name: Instagram followers, objective: loyalty, unit: followers,
     baseline: 10000, target: 15000, direction: up, frequency: weekly, owner: U0SOCIAL}
  - {key: engagement_rate, name: Engagement rate, objective: loyalty, unit: "%",
     baseline: 2, target: 4, direction: up, frequency: weekly, owner: U0SOCIAL}
  - {key: response_time, name: Response time, objective: fast_answers, unit: h,
     baseline: 6, target: 2, direction: down, frequency: daily, owner: U0COMMUNITY}
  - {key: repeat_revenue, name: Repeat revenue, objective: revenue, unit: "€",
     baseline: 20000, target: 30000, direction: up, frequency: monthly, owner: U0EXEC}
actions:
  - {key: weekly_qa, title: Weekly live Q&A, objective: fast_answers, owner: U0COMMUNITY,
     status: active}
  - {key: daily_memes, title: Daily meme posts, owner: U0SOCIAL, status: active}
  - {key: pm_training, title: Social media training for product managers, objective: trained_pms,
     owner: U0LEAD, status: planned, due: 2027-02-01}
"""
