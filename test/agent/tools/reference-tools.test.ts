import { describe, expect, it } from 'vitest';
import { CANNED_APPOINTMENT, LAB_RESULTS_UNAVAILABLE } from '../../../agent/tools/healthcare-tools.ts';
import { createReferenceToolRegistry } from '../../../agent/tools/reference-tools.ts';

describe('reference tools', () => {
  const registry = createReferenceToolRegistry();

  it('offers the four clinic tools of the public example plus end_call', () => {
    expect(registry.definitions.map((d) => d.function.name)).toEqual([
      'lookup_appointment',
      'reschedule_appointment',
      'check_prescription_status',
      'get_lab_results',
      'end_call',
    ]);
    const reschedule = registry.definitions[1]?.function.parameters as { properties: Record<string, unknown>; required?: unknown };
    expect(Object.keys(reschedule.properties)).toEqual(['appointment_id', 'new_date']);
    expect(reschedule.required).toBeUndefined();
  });

  it('answers with deterministic canned data', async () => {
    const first = await registry.run('lookup_appointment', '{"patient_name":"Ana Li"}');
    const second = await registry.run('lookup_appointment', '');
    expect(first).toEqual(second);
    expect(first).toEqual({ result: JSON.stringify(CANNED_APPOINTMENT) });
    const moved = await registry.run('reschedule_appointment', '{"new_date":"Monday at 9"}');
    expect('result' in moved && JSON.parse(moved.result)).toMatchObject({ success: true, new_date: 'Monday at 9', appointment_id: CANNED_APPOINTMENT.appointment_id });
    const rx = await registry.run('check_prescription_status', '{"medication_name":"amoxicillin"}');
    expect('result' in rx && JSON.parse(rx.result)).toMatchObject({ medication: 'amoxicillin', status: 'Ready for pickup' });
  });

  it('get_lab_results always fails', async () => {
    for (const args of ['', '{}', '{"patient_name":"Ana Li"}']) {
      await expect(registry.run('get_lab_results', args)).resolves.toEqual({ error: LAB_RESULTS_UNAVAILABLE });
    }
  });

  it('end_call asks the session to end the call, and needs a reason', async () => {
    await expect(registry.run('end_call', '{"reason":"caller said goodbye","summary":"moved the visit"}')).resolves.toEqual({
      result: '{"ok":true,"ending":true}',
      endCall: { reason: 'caller said goodbye', summary: 'moved the visit' },
    });
    await expect(registry.run('end_call', '{}')).resolves.toMatchObject({ error: expect.stringMatching(/reason/) });
  });
});
