/** PI protection impact assessments (个人信息保护影响评估, PIPL Art. 55-56, GB/T 39335-2020). */
export type { RiskMatrix } from '../risks/index.js';

/** What makes an assessment mandatory before processing starts (PIPL Art. 55). */
export const TRIGGERS = ['sensitive_pi', 'automated_decision', 'entrusted_processing', 'provision_to_others', 'public_disclosure', 'cross_border'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const TRIGGER_TITLES: Record<Trigger, { zh: string; en: string }> = {
  sensitive_pi: { zh: '处理敏感个人信息', en: 'Processing sensitive PI' },
  automated_decision: { zh: '利用个人信息进行自动化决策', en: 'Automated decision-making' },
  entrusted_processing: { zh: '委托处理个人信息', en: 'Entrusting processing to a processor' },
  provision_to_others: { zh: '向其他个人信息处理者提供个人信息', en: 'Providing PI to another handler' },
  public_disclosure: { zh: '公开个人信息', en: 'Public disclosure of PI' },
  cross_border: { zh: '向境外提供个人信息', en: 'Transfer of PI abroad' },
};

/**
 * What a processing activity does, as far as the assessment duty is concerned. The activities register
 * (issue 4) maps its records onto this shape: sensitive fields or categories, the purpose's
 * automated-decision flag, its recipients by kind, and its cross-border flag.
 */
export interface ActivityProfile {
  sensitive_pi?: boolean;
  automated_decision?: boolean;
  entrusted_processing?: boolean;
  provision_to_others?: boolean;
  public_disclosure?: boolean;
  cross_border?: boolean;
}

export const ASSESSMENT_STATES = ['draft', 'submitted', 'approved', 'rejected'] as const;
export type AssessmentState = (typeof ASSESSMENT_STATES)[number];

/** Risk source categories of GB/T 39335-2020 §5.5 (风险源识别). */
export const RISK_SOURCE_CATEGORIES = ['network_environment', 'processing_flow', 'participants', 'business_scale', 'security_situation'] as const;
export type RiskSourceCategory = (typeof RISK_SOURCE_CATEGORIES)[number];
export const RISK_SOURCE_TITLES: Record<RiskSourceCategory, { zh: string; en: string }> = {
  network_environment: { zh: '网络环境和技术措施', en: 'Network environment and technical measures' },
  processing_flow: { zh: '个人信息处理流程', en: 'PI processing flow' },
  participants: { zh: '参与人员与第三方', en: 'Participants and third parties' },
  business_scale: { zh: '业务特点和规模', en: 'Business characteristics and scale' },
  security_situation: { zh: '安全态势', en: 'Security situation' },
};

/** Impact on the individual's rights, GB/T 39335-2020 §5.6 (个人权益影响分析). */
export const RIGHTS_IMPACTS = ['autonomy', 'discrimination', 'reputation_distress', 'person_property'] as const;
export type RightsImpact = (typeof RIGHTS_IMPACTS)[number];
export const RIGHTS_IMPACT_TITLES: Record<RightsImpact, { zh: string; en: string }> = {
  autonomy: { zh: '限制个人自主决定权', en: 'Restricts the individual\'s autonomy' },
  discrimination: { zh: '引发差别性待遇', en: 'Leads to discriminatory treatment' },
  reputation_distress: { zh: '个人名誉受损或遭受精神压力', en: 'Reputational damage or distress' },
  person_property: { zh: '人身财产受损', en: 'Harm to person or property' },
};

export interface RiskSourceInput {
  id?: string;
  category: RiskSourceCategory;
  description: string;
  rights_impacts?: RightsImpact[];
  likelihood: number;
  impact: number;
  existing_measures?: string;
  mitigation?: string;
  residual_likelihood?: number;
  residual_impact?: number;
  /** Put this risk on the risk register when the assessment is approved (always done when the residual level is above acceptable). */
  register?: boolean;
  owner?: string;
}
export interface RiskSource extends RiskSourceInput {
  id: string;
  score: number;
  level: string;
  residual_score: number;
  residual_level: string;
}

export type AnswerValue = string | number | boolean | string[];

export interface CreateAssessmentInput { title: string; activity: string; triggers?: Trigger[]; profile?: ActivityProfile }
export interface UpdateAssessmentInput { title?: string; answers?: Record<string, AnswerValue | null>; risk_sources?: RiskSourceInput[] }
export interface DecisionInput { decision: 'approve' | 'return' | 'reject'; note: string; accept_residual?: boolean }
export interface ListAssessmentsInput { state?: AssessmentState; activity?: string; limit?: number; offset?: number }
