/**
 * The guided questionnaire: the steps of GB/T 39335-2020 §5 (necessity, preparation, data mapping,
 * risk sources, impact on rights, likelihood, [7. risk determination, computed], treatment, report). Risk sources,
 * scores and treatment are entered as structured risk sources; the questions hold the narrative.
 */
export type QuestionKind = 'text' | 'number' | 'boolean' | 'choice' | 'multi';
export interface Question { id: string; zh: string; en: string; kind: QuestionKind; required: boolean; options?: Array<{ value: string; zh: string; en: string }> }
export interface Step { id: string; zh: string; en: string; clause: string; hint_zh: string; hint_en: string; questions: Question[] }

const LIFECYCLE = [
  { value: 'collect', zh: '收集', en: 'collection' }, { value: 'store', zh: '存储', en: 'storage' }, { value: 'use', zh: '使用', en: 'use' },
  { value: 'process', zh: '加工', en: 'processing' }, { value: 'transmit', zh: '传输', en: 'transmission' }, { value: 'provide', zh: '提供', en: 'provision' },
  { value: 'disclose', zh: '公开', en: 'disclosure' }, { value: 'delete', zh: '删除', en: 'deletion' },
];

export const QUESTIONNAIRE: Step[] = [
  {
    id: 'necessity', zh: '一、评估必要性分析', en: '1. Necessity of the assessment', clause: 'GB/T 39335-2020 5.1',
    hint_zh: '说明处理目的、合法性基础以及处理方式是否为实现目的所必需、对个人权益影响最小。', hint_en: 'State the purpose, the legal basis, and why the processing is necessary and least intrusive.',
    questions: [
      { id: 'purpose', zh: '处理目的', en: 'Purpose of processing', kind: 'text', required: true },
      { id: 'legal_basis', zh: '合法性基础（个人信息保护法第13条）', en: 'Legal basis (PIPL Art. 13)', kind: 'choice', required: true, options: [
        { value: 'consent', zh: '取得个人同意', en: 'consent' }, { value: 'contract', zh: '订立、履行合同所必需', en: 'contract' }, { value: 'hr', zh: '人力资源管理所必需', en: 'HR management' },
        { value: 'legal_obligation', zh: '履行法定职责或法定义务', en: 'legal duty' }, { value: 'emergency', zh: '应对突发公共卫生事件或紧急情况', en: 'emergency' },
        { value: 'public_interest_news', zh: '新闻报道、舆论监督', en: 'news reporting' }, { value: 'public_info', zh: '处理已公开的个人信息', en: 'already public' }, { value: 'other_law', zh: '法律、行政法规规定的其他情形', en: 'other law' }] },
      { id: 'necessity', zh: '处理方式为何为实现目的所必需，是否采取对个人权益影响最小的方式', en: 'Why the processing is necessary and the least intrusive way', kind: 'text', required: true },
      { id: 'minimisation', zh: '最小必要：收集的个人信息种类、数量、频率、保存期限', en: 'Minimisation: types, quantity, frequency and retention', kind: 'text', required: true },
    ],
  },
  {
    id: 'preparation', zh: '二、评估准备', en: '2. Preparation', clause: 'GB/T 39335-2020 5.2',
    hint_zh: '组建评估团队，确定评估范围、方法和计划。', hint_en: 'Form the team and set the scope, method and plan.',
    questions: [
      { id: 'team', zh: '评估团队（部门、角色）', en: 'Assessment team (departments, roles)', kind: 'text', required: true },
      { id: 'scope', zh: '评估范围（业务、系统、数据）', en: 'Scope (business, systems, data)', kind: 'text', required: true },
      { id: 'method', zh: '评估方法（访谈、检查、测试）', en: 'Method (interviews, inspection, testing)', kind: 'text', required: false },
    ],
  },
  {
    id: 'data_mapping', zh: '三、数据映射分析', en: '3. Data mapping', clause: 'GB/T 39335-2020 5.3-5.4',
    hint_zh: '梳理个人信息种类、数量、处理环节、存储位置、接收方和跨境情况。', hint_en: 'Map PI types, volumes, lifecycle stages, storage, recipients and transfers.',
    questions: [
      { id: 'pi_types', zh: '处理的个人信息种类', en: 'Types of PI processed', kind: 'text', required: true },
      { id: 'sensitive_types', zh: '其中的敏感个人信息及处理的必要性', en: 'Sensitive PI among them and why it is needed', kind: 'text', required: false },
      { id: 'subjects_count', zh: '涉及的个人数量（约）', en: 'Number of individuals (approx.)', kind: 'number', required: true },
      { id: 'lifecycle', zh: '涉及的处理环节', en: 'Lifecycle stages involved', kind: 'multi', required: true, options: LIFECYCLE },
      { id: 'systems', zh: '涉及的系统与存储位置', en: 'Systems and storage locations', kind: 'text', required: true },
      { id: 'recipients', zh: '接收方（受托人、第三方）', en: 'Recipients (processors, third parties)', kind: 'text', required: false },
      { id: 'cross_border', zh: '是否向境外提供，接收方所在国家或地区', en: 'Transfer abroad and destination', kind: 'text', required: false },
      { id: 'retention', zh: '保存期限及到期处理方式', en: 'Retention period and what happens at its end', kind: 'text', required: true },
    ],
  },
  {
    id: 'risk_sources', zh: '四、风险源识别', en: '4. Risk sources', clause: 'GB/T 39335-2020 5.5',
    hint_zh: '从网络环境和技术措施、处理流程、参与人员与第三方、业务特点和规模、安全态势识别风险源（在下方风险源列表中逐条填写）。', hint_en: 'Identify risk sources in network and technical measures, processing flow, participants and third parties, business scale, security situation (enter each below).',
    questions: [
      { id: 'existing_measures', zh: '已采取的安全措施（加密、去标识化、访问控制、审计、培训等）', en: 'Measures already in place (encryption, de-identification, access control, audit, training)', kind: 'text', required: true },
    ],
  },
  {
    id: 'rights_impact', zh: '五、个人权益影响分析', en: '5. Impact on individuals\' rights', clause: 'GB/T 39335-2020 5.6',
    hint_zh: '分析对个人自主决定权、差别性待遇、名誉与精神、人身财产的影响及程度（在每个风险源上标注）。', hint_en: 'Analyse the effect on autonomy, discrimination, reputation and distress, person and property (mark it on each risk source).',
    questions: [
      { id: 'impact_summary', zh: '影响概述', en: 'Summary of the impact', kind: 'text', required: true },
    ],
  },
  {
    id: 'likelihood', zh: '六、安全事件发生的可能性分析', en: '6. Likelihood of security incidents', clause: 'GB/T 39335-2020 5.7',
    hint_zh: '结合风险源和已有措施，判断安全事件发生的可能性（在每个风险源上打分）。', hint_en: 'Judge the likelihood of an incident given the sources and the measures (score each risk source).',
    questions: [
      { id: 'past_incidents', zh: '近三年相关安全事件情况', en: 'Related incidents in the last three years', kind: 'text', required: false },
    ],
  },
  {
    id: 'treatment', zh: '八、风险处置', en: '8. Risk treatment', clause: 'GB/T 39335-2020 5.8-5.9',
    hint_zh: '针对超出可接受水平的风险提出处置措施，并评估残余风险。', hint_en: 'Propose treatment for risks above the acceptable level and assess the residual risk.',
    questions: [
      { id: 'treatment_plan', zh: '处置计划（措施、责任人、完成时间）', en: 'Treatment plan (measures, owners, dates)', kind: 'text', required: true },
    ],
  },
  {
    id: 'conclusion', zh: '九、评估结论与报告', en: '9. Conclusion and report', clause: 'GB/T 39335-2020 5.10',
    hint_zh: '形成评估结论，说明处理活动是否可以开展及条件。', hint_en: 'State the conclusion: whether and on what conditions the processing may go ahead.',
    questions: [
      { id: 'conclusion', zh: '评估结论', en: 'Conclusion', kind: 'text', required: true },
      { id: 'publication', zh: '是否对外公布评估报告摘要', en: 'Is a summary published', kind: 'boolean', required: false },
    ],
  },
];

export const QUESTIONS = new Map(QUESTIONNAIRE.flatMap((s) => s.questions.map((q) => [q.id, { ...q, step: s.id }] as const)));
