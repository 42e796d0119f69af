import { checkResource } from '@mes-fhir/profiles';
import { Validator } from '@mes-fhir/validator';
import fs from 'node:fs';
const v = await Validator.load({ mirror: '/work/shared/fhir-packages' });
for (const f of fs.readdirSync('generated/fhir/example').filter(f=>/Appointment/.test(f))) {
  const r = JSON.parse(fs.readFileSync('generated/fhir/example/'+f,'utf8'));
  const p = r.resourceType === 'Bundle' ? 'https://mes-fhir.org/fhir/StructureDefinition/mes-bundle-appointment-searchset' : 'https://mes-fhir.org/fhir/StructureDefinition/mes-appointment';
  const c = checkResource(r, p);
  const o = v.validateToIssues(r, { profile: p });
  console.log(f, c.valid, JSON.stringify(c.issues.filter(i=>i.severity==='error')).slice(0,300), '| V:', JSON.stringify(o.filter(i=>i.severity!=='information').map(i=>[i.severity,i.location,i.message])).slice(0,600));
}
console.log(v.model.index.baseChain ? '' : '', JSON.stringify(v.index.baseChain('https://mes-fhir.org/fhir/StructureDefinition/mes-appointment')));
