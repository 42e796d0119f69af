import { Validator, isValid } from '@mes-fhir/validator';
import fs from 'node:fs';
let t0 = performance.now();
const v = await Validator.load({ mirror: '/work/shared/fhir-packages' });
console.log('load', (performance.now()-t0).toFixed(0));
const dirs = ['generated/fhir/example/', ...fs.readdirSync('/root/.fhir/packages').map(p=>'/root/.fhir/packages/'+p+'/package/example/').filter(d=>fs.existsSync(d)&&!d.includes('r4.core')&&!d.includes('terminology')&&!d.includes('extensions'))];
for (const dir of dirs) for (const f of fs.readdirSync(dir).filter(f=>f.endsWith('.json'))) {
  const r = JSON.parse(fs.readFileSync(dir + f, 'utf8'));
  t0 = performance.now();
  const oo = v.validate(r);
  const errs = oo.issue.filter(i=>i.severity==='error'||i.severity==='fatal');
  const warns = oo.issue.filter(i=>i.severity==='warning');
  console.log(dir.split('/').slice(-3,-2)[0], f, isValid(oo), (performance.now()-t0).toFixed(1)+'ms', errs.length, JSON.stringify(errs.map(i=>[i.expression?.[0], i.details.text])).slice(0,700), 'W:', JSON.stringify(warns.map(i=>i.details.text)).slice(0,300));
}
