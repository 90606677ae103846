/** A destruction certificate as a printable document (PDF/DOCX); the signed JSON stays the authoritative form. */
import type { Cell, Doc } from './documents.js';

type Obj = Record<string, any>;

export function certificateDoc(c: Obj): Doc {
  const v = c.verification as Obj;
  const person = (p: Obj | null) => (p ? `${p.name ?? p.id}` : '—');
  const counts = Object.entries(c.counts ?? {}) as Array<[string, Cell]>;
  return {
    title: `${c.title?.zh ?? '个人信息销毁证明'} / ${c.title?.en ?? 'Certificate of destruction'}`,
    subtitle: `${c.certificate_id} · ${c.issued_at}`,
    sections: [
      { heading: '企业 / Enterprise', pairs: [['租户 Tenant', `${c.tenant?.name} (${c.tenant?.id})`], ['密码套件 Suite', c.tenant?.suite], ['注销原因 Reason', c.deregistration?.reason]] },
      { heading: '人员 / People', pairs: [
        ['申请人 Requested by', person(c.deregistration?.requested_by)], ['审批/监督人 Approved (supervisor)', person(c.supervisor?.approver)],
        ['见证人 Witness', c.supervisor?.witness ? `${c.supervisor.witness.name} ${c.supervisor.witness.organisation ?? ''}`.trim() : '—'], ['执行人 Executed by', person(c.executor)],
      ] },
      { heading: '方法与时间 / Method and time', paragraphs: [c.method?.zh, c.method?.en].filter(Boolean), pairs: [['开始 Started', c.started_at], ['完成 Completed', c.completed_at], ['删除台账 Erasure ledger', `${c.erasure_ledger?.kind} #${c.erasure_ledger?.seq}`]] },
      { heading: '数量 / Counts', table: { columns: ['项目 Item', '数量 Count'], rows: counts.map(([k, n]) => [k, n]) } },
      { heading: '哈希 / Hashes (SHA-256)', pairs: [
        ['主体标识 Subject ids', c.hashes?.subject_ids_sha256], ['盲索引密钥 Index key (wrapped)', c.hashes?.index_key_wrapped_sha256 ?? '—'],
        ...((c.hashes?.kek_wrapped_sha256 ?? []) as Obj[]).map((k): [string, Cell] => [`KEK v${k.version} (wrapped)`, k.sha256]),
        ['留存归档 Archive', c.hashes?.archive_sha256 ?? '—'], ['审计链头 Audit chain head', c.audit ? `#${c.audit.head_seq} ${c.audit.head_hash}` : '—'],
      ] },
      { heading: '校验 / Verification', table: {
        columns: ['存储 Store', 'KEK', '索引密钥 Index key', '主体密钥 Subject keys', '记录 Records', '抽样解密 Samples decrypted', '结果 Result'],
        rows: [
          ['销毁前 before', '', '', '', '', `${v?.before?.samples_decrypted}/${v?.before?.samples_tried}`, ''],
          ...[{ file: '在线 live', ...v?.live }, ...((v?.backups ?? []) as Obj[])].map((x: Obj): Cell[] => [x.file, x.kek_versions_remaining, x.index_key_present, x.subject_keys_remaining, x.records_remaining, `${x.samples_decrypted}/${x.samples_tried}`, x.ok ? '通过 pass' : '失败 FAIL']),
        ],
        widths: [20, 8, 12, 14, 10, 20, 12],
      } },
      { heading: '签名 / Signature', paragraphs: ['以 JSON 文件为准；用 `custodian certificate verify 文件` 离线校验，并与公布的安装实例公钥指纹比对。 The JSON file is authoritative: verify it offline with `custodian certificate verify FILE` and compare the fingerprint with the installation key published at /certificates/keys.'],
        pairs: [['算法 Algorithm', c.signer?.algorithm], ['密钥 Key id', c.signer?.key_id], ['公钥指纹 Fingerprint', c.signer?.fingerprint], ['签名 Signature', c.signature]] },
    ],
  };
}
