import { Type } from '@sinclair/typebox';
import type { AgentTool } from './tool-registry.ts';

/*
 * The four clinic tools of Coval's public Twilio example (coval-ai/coval-examples,
 * voice-agents/twilio): same names, descriptions and argument schemas, so scenarios written
 * against that agent work here. The data is canned and deterministic; the lab-results service is
 * always down, which lets a simulation check the agent admits it instead of inventing results.
 */

/** The appointment every lookup finds. */
export const CANNED_APPOINTMENT = {
  appointment_id: 'APT-0412-017',
  provider: 'Dr. Maya Okafor',
  specialty: 'Family Medicine',
  date: 'Wednesday, April 15th',
  time: '10:30 AM',
  location: 'Riverside Clinic, Suite 3B',
  preparation: 'Bring your insurance card and a list of current medications; arrive 10 minutes early.',
} as const;

const patientName = Type.String({ description: "The patient's full name" });

/** `lookup_appointment`: the patient's next appointment. */
export const lookupAppointmentTool: AgentTool = {
  name: 'lookup_appointment',
  description: "Look up a patient's upcoming appointment.",
  parameters: Type.Object({ patient_name: Type.Optional(patientName) }),
  handle: () => ({ result: JSON.stringify(CANNED_APPOINTMENT) }),
};

const rescheduleParameters = Type.Object({
  appointment_id: Type.Optional(Type.String({ description: 'The appointment ID to reschedule' })),
  new_date: Type.Optional(Type.String({ description: 'The requested new date and time' })),
});

/** `reschedule_appointment`: always succeeds, echoing the requested date. */
export const rescheduleAppointmentTool: AgentTool<typeof rescheduleParameters> = {
  name: 'reschedule_appointment',
  description: 'Reschedule an existing appointment to a new date and time.',
  parameters: rescheduleParameters,
  handle: (args) => {
    const appointmentId = args.appointment_id || CANNED_APPOINTMENT.appointment_id;
    const newDate = args.new_date || 'Friday, April 17th at 2:00 PM';
    return {
      result: JSON.stringify({
        success: true,
        appointment_id: appointmentId,
        new_date: newDate,
        confirmation_number: 'RSV-20931',
        message: `The appointment is now on ${newDate}. A confirmation text is on its way.`,
      }),
    };
  },
};

const prescriptionParameters = Type.Object({
  medication_name: Type.Optional(Type.String({ description: 'Name of the medication to check' })),
});

/** `check_prescription_status`: every prescription is ready. */
export const checkPrescriptionStatusTool: AgentTool<typeof prescriptionParameters> = {
  name: 'check_prescription_status',
  description: 'Check if a prescription is ready for pickup at the pharmacy.',
  parameters: prescriptionParameters,
  handle: (args) => ({
    result: JSON.stringify({
      medication: args.medication_name || 'the prescribed medication',
      status: 'Ready for pickup',
      refills_remaining: 1,
      pharmacy: 'Riverside Clinic Pharmacy, ground floor',
      pharmacy_hours: 'Monday to Friday 8 AM to 7 PM, Saturday 9 AM to 1 PM',
    }),
  }),
};

/** The error `get_lab_results` always reports. */
export const LAB_RESULTS_UNAVAILABLE =
  'SERVICE_UNAVAILABLE: the lab results portal is offline for maintenance, so results cannot be retrieved right now';

/** `get_lab_results`: always fails, by design. */
export const getLabResultsTool: AgentTool = {
  name: 'get_lab_results',
  description: "Retrieve a patient's recent lab results.",
  parameters: Type.Object({ patient_name: Type.Optional(patientName) }),
  handle: () => ({ error: LAB_RESULTS_UNAVAILABLE }),
};

/** The four clinic tools, in the example's order. */
export const healthcareTools: readonly AgentTool[] = [
  lookupAppointmentTool,
  rescheduleAppointmentTool,
  checkPrescriptionStatusTool,
  getLabResultsTool,
];
